/**
 * Two tenants with their own Oathkeeper JWKS and audiences in one app, resolved per request by
 * each kind of tenant resolver (header, host, a function), and the module built by every form of
 * forRootAsync. Tokens come from two test signers on loopback.
 */
import { request as httpRequest } from 'node:http';
import { Controller, Get, Injectable, Module } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CurrentUser,
  type IamIdentity,
  IamModule,
  type IamModuleOptions,
  type IamOptionsFactory,
  type TenantResolver,
} from '../../../src/index.js';
import { type TestJwksServer, TestSigner } from '../../../src/testing/index.js';
import {
  type JsonResponse,
  PLATFORMS,
  type RunningApp,
  request,
  startApp,
} from '../../support/nest-app.js';

@Controller('me')
class MeController {
  @Get()
  me(@CurrentUser() user: IamIdentity) {
    return { id: user.id, tenant: user.tenant };
  }
}

const TENANTS = ['acme', 'globex'] as const;
type TenantName = (typeof TENANTS)[number];
const audienceOf = (tenant: TenantName) => `${tenant}-api`;

let signers: Record<TenantName, TestSigner>;
let jwks: TestJwksServer[];

beforeAll(async () => {
  signers = { acme: TestSigner.create(), globex: TestSigner.create() };
  jwks = await Promise.all(TENANTS.map((tenant) => signers[tenant].serve()));
});
afterAll(async () => {
  await Promise.all(jwks.map((server) => server.close()));
});

function options(tenantResolver: TenantResolver): IamModuleOptions {
  const tenant = (name: TenantName, index: number) => ({
    transport: 'oathkeeper' as const,
    oathkeeper: {
      verifier: 'jwt' as const,
      jwks: { url: (jwks[index] as TestJwksServer).url },
      audience: audienceOf(name),
      replayProtection: { enabled: true },
      identityHeader: 'Authorization',
    },
  });
  return { tenants: { acme: tenant('acme', 0), globex: tenant('globex', 1) }, tenantResolver };
}

/** A token of `tenant`'s own Oathkeeper (its key, its audience, its tenant claim). */
const tokenOf = (tenant: TenantName, sub: string, claims: Record<string, unknown> = {}) =>
  `Bearer ${signers[tenant].mint({ sub, aud: [audienceOf(tenant)], tenant, ...claims })}`;

/**
 * GET with any headers, Host included: fetch() does not let a caller set Host (a forbidden header
 * name), so this goes through node:http.
 */
function getWithHost(url: string, headers: Record<string, string>): Promise<JsonResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          body: text === '' ? undefined : (JSON.parse(text) as unknown),
          headers: new Headers(),
        }),
      );
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

const RESOLVERS: readonly [string, TenantResolver, (tenant: string) => Record<string, string>][] = [
  ['header', { header: 'X-Tenant' }, (tenant) => ({ 'X-Tenant': tenant })],
  [
    'host',
    { host: { 'acme.example.test': 'acme', 'globex.example.test': 'globex' } },
    (tenant) => ({ Host: `${tenant}.example.test` }),
  ],
  [
    'function',
    (req) => req.header('x-org')?.toLowerCase(),
    (tenant) => ({ 'X-Org': tenant.toUpperCase() }),
  ],
];

describe.each(PLATFORMS)('two tenants with their own Oathkeeper on %s', (platform) => {
  describe.each(RESOLVERS)('resolved by %s', (_kind, resolver, select) => {
    let app: RunningApp;
    beforeAll(async () => {
      app = await startApp(
        { imports: [IamModule.forRoot(options(resolver))], controllers: [MeController] },
        platform,
      );
    });
    afterAll(async () => {
      await app?.close();
    });
    const get = (headers: Record<string, string>) => getWithHost(`${app.url}/me`, headers);

    it('accepts each tenant its own token', async () => {
      for (const tenant of TENANTS) {
        const response = await get({
          ...select(tenant),
          Authorization: tokenOf(tenant, `${tenant}-user`),
        });
        expect(response).toMatchObject({ status: 200, body: { id: `${tenant}-user`, tenant } });
      }
    });

    it("refuses a tenant's token on the other tenant (key, audience and tenant claim differ)", async () => {
      const response = await get({
        ...select('globex'),
        Authorization: tokenOf('acme', 'mallory'),
      });
      expect(response.status).toBe(401);
    });

    it('refuses a token claiming the other tenant though signed by this one', async () => {
      const response = await get({
        ...select('acme'),
        Authorization: tokenOf('acme', 'mallory', { tenant: 'globex' }),
      });
      expect(response).toMatchObject({ status: 401, body: { code: 'auth.tenant_mismatch' } });
    });

    it('answers 401 auth.tenant_unknown for a tenant the module does not know, and for none', async () => {
      for (const headers of [select('initech'), {}]) {
        const response = await get({ ...headers, Authorization: tokenOf('acme', 'alice') });
        expect(response).toMatchObject({ status: 401, body: { code: 'auth.tenant_unknown' } });
      }
    });
  });
});

const CONFIG = Symbol('CONFIG');

@Injectable()
class IamConfigService implements IamOptionsFactory {
  createIamOptions(): IamModuleOptions {
    return options({ header: 'X-Tenant' });
  }
}

@Module({
  providers: [IamConfigService, { provide: CONFIG, useValue: { header: 'X-Tenant' } }],
  exports: [IamConfigService, CONFIG],
})
class ConfigModule {}

describe.each([
  [
    'useFactory with inject',
    IamModule.forRootAsync({
      imports: [ConfigModule],
      inject: [CONFIG],
      useFactory: (resolver: TenantResolver) => options(resolver),
    }),
  ],
  ['useClass', IamModule.forRootAsync({ imports: [ConfigModule], useClass: IamConfigService })],
  [
    'useExisting',
    IamModule.forRootAsync({ imports: [ConfigModule], useExisting: IamConfigService }),
  ],
])('forRootAsync with %s', (_form, iamModule) => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp({ imports: [iamModule], controllers: [MeController] }, 'express');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('boots and authenticates per tenant', async () => {
    const response = await request(`${app.url}/me`, {
      headers: { 'X-Tenant': 'globex', Authorization: tokenOf('globex', 'gina') },
    });
    expect(response).toMatchObject({ status: 200, body: { id: 'gina', tenant: 'globex' } });
  });

  it('validates what the factory answered', async () => {
    const broken = IamModule.forRootAsync({ useFactory: () => ({ tenants: {} }) });
    await expect(
      startApp({ imports: [broken], controllers: [MeController] }, 'express'),
    ).rejects.toThrow(/tenants/);
  });
});
