// Proves what a new Nest user gets with the default test runner: a project set up as `nest new`
// sets it up (Jest with ts-jest, CommonJS), the packed library installed from its tarball, a unit
// test with IamTestingModule, an e2e test that boots a real app with the test signer, and the
// documented override of a whole AppModule whose controller injects SessionService. Jest cannot
// load ES-only packages with require(), an e2e whose app leaves a handle open never exits, and a
// testing entry with its own copy of the services is a token the app does not inject: all fail
// this check (it gives Jest two minutes).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packLibrary } from './pack-library.mjs';

const work = mkdtempSync(join(tmpdir(), 'nestjs-ory-iam-jest-'));
const project = join(work, 'app');

const files = {
  'package.json': JSON.stringify({
    name: 'jest-consumer',
    private: true,
    jest: {
      moduleFileExtensions: ['js', 'json', 'ts'],
      rootDir: 'src',
      testRegex: '.*\\.spec\\.ts$',
      transform: { '^.+\\.(t|j)s$': 'ts-jest' },
      testEnvironment: 'node',
    },
  }),
  'tsconfig.json': JSON.stringify({
    compilerOptions: {
      module: 'commonjs',
      target: 'ES2021',
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      esModuleInterop: true,
      skipLibCheck: true,
      strict: true,
      types: ['jest', 'node'],
    },
  }),
  'src/orders.controller.ts': `
import { Controller, Get } from '@nestjs/common';
import { CurrentUser, type IamIdentity, Public } from 'nestjs-ory-iam';

@Controller('orders')
export class OrdersController {
  @Get()
  list(@CurrentUser() user: IamIdentity) {
    return { user: user.id };
  }

  @Get('health')
  @Public()
  health() {
    return { ok: true };
  }
}
`,
  'src/orders.controller.spec.ts': `
import { Test } from '@nestjs/testing';
import { IamTestingModule } from 'nestjs-ory-iam/testing';
import { OrdersController } from './orders.controller';

it('builds the controller with the testing module', async () => {
  const moduleRef = await Test.createTestingModule({
    imports: [IamTestingModule.forRoot({ identity: { id: 'alice' } })],
    controllers: [OrdersController],
  }).compile();
  expect(moduleRef.get(OrdersController).list({ id: 'alice' } as never)).toEqual({ user: 'alice' });
  await moduleRef.close();
});
`,
  'src/app.module.ts': `
import { Controller, Get, Module, Req } from '@nestjs/common';
import { IamModule, RequireRole, SessionService, type WhoamiSource } from 'nestjs-ory-iam';
import { OrdersController } from './orders.controller';

@Controller('me')
export class MeController {
  constructor(private readonly sessions: SessionService) {}

  @Get()
  async me(@Req() request: WhoamiSource) {
    const session = await this.sessions.forTenant('default').whoami(request);
    return { id: session.identity?.id };
  }

  @Get('admin')
  @RequireRole('admin')
  admin() {
    return { ok: true };
  }
}

@Module({
  imports: [
    IamModule.forRoot({
      tenants: {
        default: {
          transport: 'oathkeeper',
          oathkeeper: {
            verifier: 'jwt',
            jwks: { url: 'http://127.0.0.1:9/.well-known/jwks.json' },
            audience: 'orders-api',
            identityHeader: 'Authorization',
          },
        },
      },
    }),
  ],
  controllers: [OrdersController, MeController],
})
export class AppModule {}
`,
  'src/app-override.e2e.spec.ts': `
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { IamModule } from 'nestjs-ory-iam';
import { IamTestingModule, IamTestingState } from 'nestjs-ory-iam/testing';
import request from 'supertest';
import { AppModule } from './app.module';

let app: INestApplication;

beforeAll(async () => {
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideModule(IamModule)
    .useModule(IamTestingModule.forRoot({ identity: { id: 'alice' } }))
    .compile();
  app = moduleRef.createNestApplication({ logger: false });
  await app.init();
});

afterAll(async () => {
  await app.close();
});

it('runs the whole app with the testing identity and services', async () => {
  await request(app.getHttpServer()).get('/orders').expect(200, { user: 'alice' });
  await request(app.getHttpServer()).get('/me').expect(200, { id: 'alice' });
  await request(app.getHttpServer()).get('/me/admin').expect(403);
  app.get(IamTestingState).setRoles(['admin']);
  await request(app.getHttpServer()).get('/me/admin').expect(200);
});
`,
  'src/app.e2e.spec.ts': `
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { IamModule } from 'nestjs-ory-iam';
import { TestSigner, type TestJwksServer } from 'nestjs-ory-iam/testing';
import request from 'supertest';
import { OrdersController } from './orders.controller';

let app: INestApplication;
let jwks: TestJwksServer;
const signer = TestSigner.create();

beforeAll(async () => {
  jwks = await signer.serve();
  const moduleRef = await Test.createTestingModule({
    imports: [
      IamModule.forRoot({
        tenants: {
          default: {
            transport: 'oathkeeper',
            oathkeeper: {
              verifier: 'jwt',
              jwks: { url: jwks.url },
              audience: 'orders-api',
              replayProtection: { enabled: true },
              identityHeader: 'Authorization',
            },
          },
        },
      }),
    ],
    controllers: [OrdersController],
  }).compile();
  app = moduleRef.createNestApplication({ logger: false });
  await app.init();
});

afterAll(async () => {
  await app.close();
  await jwks.close();
});

it('answers 200 with a token, 401 without', async () => {
  const token = signer.mint({ sub: 'alice', aud: ['orders-api'], tenant: 'default' });
  await request(app.getHttpServer())
    .get('/orders')
    .set('Authorization', 'Bearer ' + token)
    .expect(200, { user: 'alice' });
  await request(app.getHttpServer()).get('/orders').expect(401);
  await request(app.getHttpServer()).get('/orders/health').expect(200);
});
`,
};

try {
  const tarball = packLibrary(work);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(project, path, '..'), { recursive: true });
    writeFileSync(join(project, path), content);
  }
  const dependencies = [
    tarball,
    '@nestjs/common@^11',
    '@nestjs/core@^11',
    '@nestjs/platform-express@^11',
    '@nestjs/testing@^11',
    'reflect-metadata',
    'rxjs',
    'jest@^30',
    'ts-jest@^29',
    '@types/jest@^30',
    '@types/node@^20',
    'typescript@~5.9',
    'supertest@^7',
    '@types/supertest',
  ];
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--silent', ...dependencies], {
    cwd: project,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  execFileSync('npx', ['jest', '--ci'], { cwd: project, stdio: 'inherit', timeout: 120_000 });
  console.log('Jest consumer: unit and e2e pass, and Jest exits by itself');
} catch (error) {
  const timedOut = error.signal === 'SIGTERM';
  console.error(
    timedOut
      ? 'Jest consumer: Jest did not exit within 2 minutes (a handle left open after app.close())'
      : `Jest consumer: failed (${error.message.split('\n')[0]})`,
  );
  process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
