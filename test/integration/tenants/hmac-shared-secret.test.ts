/**
 * Two tenants holding one HMAC secret, the tenant resolved from a header the client sets: a
 * header signed for acme (or for no tenant) must not authenticate anyone on globex.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantConfig } from '../../../src/index.js';
import { PLATFORMS, request } from '../../support/nest-app.js';
import { startTenantApp, type TenantApp } from './tenant-probe.js';

const SECRET = 'one-secret-held-by-acme-and-globex-alike';
const tenant: TenantConfig = {
  transport: 'oathkeeper',
  oathkeeper: { verifier: 'hmac', hmacSecret: SECRET },
};

function signed(identity: string): Record<string, string> {
  const signature = createHmac('sha256', SECRET).update(identity, 'utf8').digest('hex');
  return { 'X-User': identity, 'X-User-Signature': signature };
}

const acmeAdmin = JSON.stringify({
  sub: 'alice',
  tenant: 'acme',
  metadataPublic: { roles: ['admin'] },
});
const noTenantAdmin = JSON.stringify({ sub: 'mallory', metadataPublic: { roles: ['admin'] } });

describe.each(PLATFORMS)('HMAC tenants sharing one secret on %s', (platform) => {
  let app: TenantApp;
  const get = (tenantName: string, headers: Record<string, string>) =>
    request(`${app.url}/admin`, { headers: { ...headers, 'X-Tenant': tenantName } });

  beforeAll(async () => {
    app = await startTenantApp(platform, {
      tenants: { acme: tenant, globex: tenant },
      tenantResolver: { header: 'X-Tenant' },
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('accepts a header signed for acme on acme only', async () => {
    expect(await get('acme', signed(acmeAdmin))).toMatchObject({
      status: 200,
      body: { admin: true, tenant: 'acme' },
    });
    expect(await get('globex', signed(acmeAdmin))).toMatchObject({
      status: 401,
      body: { code: 'auth.tenant_mismatch', message: expect.stringMatching(/another tenant/) },
    });
  });

  it('refuses a signed header that names no tenant on every tenant, saying it is missing', async () => {
    for (const name of ['acme', 'globex']) {
      expect(await get(name, signed(noTenantAdmin))).toMatchObject({
        status: 401,
        body: { code: 'auth.tenant_mismatch', message: expect.stringMatching(/missing/) },
      });
    }
  });
});
