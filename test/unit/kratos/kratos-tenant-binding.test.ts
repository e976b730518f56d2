/**
 * A Kratos identity authenticates a request only for the tenant it belongs to, by the tenant's
 * kratos.tenantBinding: the request's tenant comes from a resolver the client may influence (a
 * header), so without this check a user of one tenant is a user of every tenant sharing its Kratos.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IamModuleOptions, KratosConfig, TenantConfig } from '../../../src/index.js';
import { HttpIamRequest } from '../../../src/request/http-request.js';
import { InMemorySessionStore } from '../../../src/session-cache/in-memory-session-store.js';
import { expectCode } from '../jwt/codes.js';
import { FakeKratos, kratosSession } from './fake-kratos.js';
import { kratosTransportOf } from './kratos-transport-fixtures.js';

const WHOAMI = 'GET /sessions/whoami';
const TOKEN = 'ory_st_abcdefghijklmnopqrstuvwxyz012345';
const kratos = new FakeKratos();
beforeAll(() => kratos.start());
afterAll(() => kratos.stop());
beforeEach(() => kratos.reset());

/** acme and globex, both asking the one fake Kratos. */
function sharedKratos(
  acme: Partial<KratosConfig> = {},
  extra: Partial<TenantConfig> = {},
): IamModuleOptions {
  const tenant = (kratosOptions: Partial<KratosConfig>): TenantConfig => ({
    transport: 'bearer',
    kratos: { publicUrl: kratos.url, tenantBinding: 'metadata_public.tenant', ...kratosOptions },
    http: { timeoutMs: 300, retries: 0 },
    ...extra,
  });
  return {
    tenants: { acme: tenant(acme), globex: tenant({}) },
    tenantResolver: { header: 'X-Tenant' },
  };
}

function answerIdentity(identity: Record<string, unknown>): void {
  kratos.answer(WHOAMI, { status: 200, body: kratosSession({ identity }) });
}

const authenticate = (options: IamModuleOptions, tenant: string) =>
  kratosTransportOf(options, tenant).authenticate(
    new HttpIamRequest({ headers: { 'x-session-token': TOKEN } }),
  );

describe('Kratos identities and their tenant', () => {
  it("by default (several tenants asking Kratos) must carry metadata_public.tenant naming the request's tenant", async () => {
    answerIdentity({ metadata_public: { tenant: 'acme', roles: ['admin'] } });

    expect(await authenticate(sharedKratos(), 'acme')).toMatchObject({
      tenant: 'acme',
      roles: ['admin'],
    });
    const error = await expectCode(
      () => authenticate(sharedKratos(), 'globex'),
      'auth.tenant_mismatch',
    );
    expect(error.getStatus()).toBe(401);
    expect(error.message).toMatch(/another tenant/);
  });

  it('refuses an identity without the marker, saying the tenant is missing', async () => {
    answerIdentity({ metadata_public: { roles: ['admin'] } });
    const error = await expectCode(
      () => authenticate(sharedKratos(), 'acme'),
      'auth.tenant_mismatch',
    );
    expect(error.message).toMatch(/missing/);

    answerIdentity({ metadata_public: null });
    await expectCode(() => authenticate(sharedKratos(), 'acme'), 'auth.tenant_mismatch');
  });

  it('accepts an identity without the marker when the tenant opts out with claims.allowMissingTenant', async () => {
    answerIdentity({ metadata_public: { roles: ['viewer'] } });
    const options = sharedKratos({}, { claims: { allowMissingTenant: true } });
    expect(await authenticate(options, 'acme')).toMatchObject({ tenant: 'acme' });

    answerIdentity({ metadata_public: { tenant: 'acme' } });
    await expectCode(() => authenticate(options, 'globex'), 'auth.tenant_mismatch');
  });

  it('reads the configured metadata_public or traits path, and nothing else', async () => {
    const byOrg = sharedKratos({ tenantBinding: 'metadata_public.org.slug' });
    answerIdentity({ metadata_public: { org: { slug: 'acme' } }, traits: { tenant: 'globex' } });
    expect(await authenticate(byOrg, 'acme')).toMatchObject({ tenant: 'acme' });

    const byTrait = sharedKratos({ tenantBinding: 'traits.company' });
    answerIdentity({ traits: { email: 'a@example.test', company: 'acme' } });
    expect(await authenticate(byTrait, 'acme')).toMatchObject({ tenant: 'acme' });
    answerIdentity({ traits: { email: 'a@example.test' }, metadata_public: { company: 'acme' } });
    await expectCode(() => authenticate(byTrait, 'acme'), 'auth.tenant_mismatch');
  });

  it.each([
    ['a different case', 'ACME'],
    ['an array naming it', ['acme']],
    ['an object', { name: 'acme' }],
    ['a number', 1],
  ])('refuses a marker that is %s', async (_name, marker) => {
    answerIdentity({ metadata_public: { tenant: marker } });
    await expectCode(() => authenticate(sharedKratos(), 'acme'), 'auth.tenant_mismatch');
  });

  it("with 'none' accepts every identity of the Kratos, as the operator chose", async () => {
    const options = sharedKratos({ tenantBinding: 'none' });
    answerIdentity({ metadata_public: { tenant: 'globex' } });
    expect(await authenticate(options, 'acme')).toMatchObject({ tenant: 'acme' });
  });

  it("a single tenant (its own Kratos: 'kratos-url' by default) accepts identities without a marker", async () => {
    answerIdentity({ metadata_public: { roles: ['admin'] } });
    const single: IamModuleOptions = {
      tenants: { default: { transport: 'bearer', kratos: { publicUrl: kratos.url } } },
    };
    expect(await authenticate(single, 'default')).toMatchObject({ roles: ['admin'] });
  });

  it('checks sessions served from the session cache as well', async () => {
    answerIdentity({ metadata_public: { tenant: 'acme' } });
    const cached = {
      publicUrl: kratos.url,
      tenantBinding: 'metadata_public.tenant' as const,
      sessionCache: { enabled: true },
    };
    const options: IamModuleOptions = {
      tenants: {
        acme: { transport: 'bearer', kratos: cached },
        globex: { transport: 'bearer', kratos: cached },
      },
      tenantResolver: { header: 'X-Tenant' },
    };
    const store = new InMemorySessionStore();
    const request = () => new HttpIamRequest({ headers: { 'x-session-token': TOKEN } });
    const globex = kratosTransportOf(options, 'globex', store);
    const acme = kratosTransportOf(options, 'acme', store);

    for (let i = 0; i < 2; i += 1) {
      await expectCode(() => globex.authenticate(request()), 'auth.tenant_mismatch');
      expect(await acme.authenticate(request())).toMatchObject({ tenant: 'acme' });
    }
    // One Kratos check per tenant: the second round came from the cache and was checked again.
    expect(kratos.requestsTo(WHOAMI)).toHaveLength(2);
  });
});
