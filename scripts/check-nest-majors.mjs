// Proves the peer range: packs the library once, installs the tarball next to each Nest major's
// common/core/platform-express/platform-fastify in a throwaway CommonJS project, boots a real Nest
// app there on Express and on Fastify with
// the Oathkeeper JWT transport against a TestSigner's JWKS on loopback, and checks what HTTP
// clients get. Run after `npm run check:package` (it needs dist/).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkInProjects } from './pack-library.mjs';

// Every major the peer range `^10 || ^11 || ^12` names (the newest of each); keep in step with
// package.json. NEST_MAJORS=10.0.0,11 also takes exact versions, e.g. to try a major's floor.
const MAJORS = (process.env.NEST_MAJORS ?? '10,11,12').split(',');
const work = mkdtempSync(join(tmpdir(), 'nestjs-ory-iam-nest-majors-'));

// No decorator syntax: decorators are applied as the functions they are, the way tsc's output
// calls them, so the consumer needs no compiler. The same app runs as CommonJS (app.cjs) and as
// ESM (app.mjs): Nest 12 is ESM-only, so CommonJS reaches it through require(esm).
const imports = {
  'app.cjs': `require('reflect-metadata');
const assert = require('node:assert/strict');
const { readFileSync } = require('node:fs');
const { Controller, Get, Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { IamModule, CurrentUser } = require('nestjs-ory-iam');
const { TestSigner } = require('nestjs-ory-iam/testing');
const loadFastify = async () => require('@nestjs/platform-fastify');
const kind = 'CJS';`,
  'app.mjs': `import 'reflect-metadata';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { IamModule, CurrentUser } from 'nestjs-ory-iam';
import { TestSigner } from 'nestjs-ory-iam/testing';
const loadFastify = () => import('@nestjs/platform-fastify');
const kind = 'ESM';`,
};
// Read from disk: not every Nest 12 release exports its package.json.
const app = `
const core = JSON.parse(readFileSync('node_modules/@nestjs/core/package.json', 'utf8'));
const platform = process.env.PLATFORM ?? 'express';
const major = core.version + ' ' + kind + ' on ' + platform;

class MeController {
  me(user) { return { user: user.id }; }
}
Reflect.decorate([Get()], MeController.prototype, 'me', Object.getOwnPropertyDescriptor(MeController.prototype, 'me'));
CurrentUser()(MeController.prototype, 'me', 0);
Controller('me')(MeController);

async function main() {
  const signer = TestSigner.create();
  const jwks = await signer.serve();
  class AppModule {}
  Module({
    imports: [IamModule.forRoot({ tenants: { default: { transport: 'oathkeeper', oathkeeper: {
      verifier: 'jwt', jwks: { url: jwks.url }, audience: 'orders-api',
      replayProtection: { enabled: true }, identityHeader: 'Authorization',
    } } } })],
    controllers: [MeController],
  })(AppModule);
  const nest =
    platform === 'fastify'
      ? await NestFactory.create(AppModule, new (await loadFastify()).FastifyAdapter(), { logger: false })
      : await NestFactory.create(AppModule, { logger: false });
  await nest.listen(0, '127.0.0.1');
  try {
    const url = (await nest.getUrl()).replace('[::1]', '127.0.0.1') + '/me';
    const get = async (token) => {
      const response = await fetch(url, token ? { headers: { authorization: 'Bearer ' + token } } : {});
      return { status: response.status, body: await response.json() };
    };
    const token = signer.mint({ sub: 'alice', aud: ['orders-api'], tenant: 'default' });
    const checks = [
      ['valid token', await get(token), 200, (body) => body.user === 'alice'],
      ['no token', await get(), 401, (body) => body.code === 'auth.failure.missing_credentials'],
      ['replayed token', await get(token), 401, (body) => body.code === 'auth.failure.replay'],
    ];
    for (const [name, got, status, bodyOk] of checks) {
      assert.ok(got.status === status && bodyOk(got.body),
        'Nest ' + major + ', ' + name + ': expected ' + status + ', got ' + got.status + ' ' + JSON.stringify(got.body));
    }
    console.log('Nest ' + major + ': 200 with the subject, 401 missing_credentials, 401 replay');
  } finally {
    await nest.close();
    await jwks.close();
  }
}
main().catch((error) => { console.error(error.message ?? error); process.exit(1); });
`;

// Each major gets its own project; the same app runs as CJS and ESM, on Express and Fastify.
await checkInProjects({
  work,
  name: 'nest',
  versions: MAJORS,
  files: Object.fromEntries(Object.entries(imports).map(([file, head]) => [file, head + app])),
  dependencies: (major) => [
    ...['common', 'core', 'platform-express', 'platform-fastify'].map(
      (name) => `@nestjs/${name}@${/^\d+$/.test(major) ? '^' : ''}${major}`,
    ),
    'reflect-metadata',
    'rxjs',
  ],
  runs: Object.keys(imports).flatMap((script) =>
    ['express', 'fastify'].map((platform) => ({ script, env: { PLATFORM: platform } })),
  ),
});
