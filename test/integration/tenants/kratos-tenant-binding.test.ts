/**
 * Issue 14, reproduced against the real Kratos: two tenants share one Kratos and the tenant is
 * resolved from a header the client sets. An admin of acme must not be anyone on globex, whatever
 * the header says; only the identity's metadata_public.tenant (the default binding when several
 * tenants ask Kratos) decides.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantConfig } from '../../../src/index.js';
import { PLATFORMS, request } from '../../support/nest-app.js';
import { loginBrowser, loginNative } from '../../support/ory/kratos-flows.js';
import { useOryStack } from '../../support/ory/vitest.js';
import { createIdentity, kratosUrls, PASSWORD } from '../kratos/support.js';
import { startTenantApp, type TenantApp } from './tenant-probe.js';

interface Credentials {
  readonly id: string;
  /** Headers that carry the session, one set per kind of credential. */
  readonly variants: readonly (readonly [string, Record<string, string>])[];
}

describe.each(PLATFORMS)('tenants sharing one real Kratos on %s', (platform) => {
  const ory = useOryStack({ keto: false });
  let app: TenantApp;
  let acmeAdmin: Credentials;
  let unmarkedAdmin: Credentials;

  const login = async (metadataPublic: Record<string, unknown>): Promise<Credentials> => {
    const { adminUrl, publicUrl } = kratosUrls(ory());
    const user = await createIdentity(adminUrl, { metadataPublic });
    const token = (await loginNative(publicUrl, user.email, PASSWORD)).sessionToken;
    const cookie = await loginBrowser(publicUrl, user.email, PASSWORD);
    return {
      id: user.id,
      variants: [
        ['session token', { 'X-Session-Token': token }],
        ['bearer', { Authorization: `Bearer ${token}` }],
        ['session cookie', { Cookie: cookie }],
      ],
    };
  };
  const get = (path: string, tenant: string, headers: Record<string, string>) =>
    request(`${app.url}${path}`, { headers: { ...headers, 'X-Tenant': tenant } });

  beforeAll(async () => {
    const { publicUrl } = kratosUrls(ory());
    const tenant: TenantConfig = {
      transport: 'cookie-or-bearer',
      kratos: { publicUrl, tenantBinding: 'metadata_public.tenant' },
    };
    app = await startTenantApp(platform, {
      tenants: { acme: tenant, globex: tenant },
      tenantResolver: { header: 'X-Tenant' },
    });
    acmeAdmin = await login({ tenant: 'acme', roles: ['admin'] });
    unmarkedAdmin = await login({ roles: ['admin'] });
  });
  afterAll(async () => {
    await app?.close();
  });

  it("accepts acme's admin on acme, by every kind of credential", async () => {
    for (const [, headers] of acmeAdmin.variants) {
      expect(await get('/admin', 'acme', headers)).toMatchObject({
        status: 200,
        body: { admin: true, tenant: 'acme' },
      });
      expect((await get('/me', 'acme', headers)).body).toMatchObject({
        id: acmeAdmin.id,
        tenant: 'acme',
        roles: ['admin'],
      });
    }
  });

  it("refuses acme's admin on globex with 401 auth.tenant_mismatch, by every kind of credential", async () => {
    for (const [kind, headers] of acmeAdmin.variants) {
      for (const path of ['/admin', '/me']) {
        const response = await get(path, 'globex', headers);
        expect(response, `${kind} ${path}`).toMatchObject({
          status: 401,
          body: { statusCode: 401, code: 'auth.tenant_mismatch' },
        });
        expect((response.body as { message: string }).message).toMatch(/another tenant/);
      }
    }
    expect(app.events).toContainEqual(
      expect.objectContaining({ name: 'auth.tenant_mismatch', tenant: 'globex' }),
    );
  });

  it('refuses an identity without metadata_public.tenant on every tenant, saying it is missing', async () => {
    for (const tenant of ['acme', 'globex']) {
      const [, headers] = unmarkedAdmin.variants[0] ?? [];
      const response = await get('/admin', tenant, headers ?? {});
      expect(response).toMatchObject({
        status: 401,
        body: { statusCode: 401, code: 'auth.tenant_mismatch' },
      });
      expect((response.body as { message: string }).message).toMatch(/missing/);
    }
  });
});
