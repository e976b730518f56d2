/**
 * Issue 14, item 5 over HTTP, through the default in-memory replay cache the module builds: one
 * subject flooding its tenant gets 503 auth.replay_capacity_exceeded (with Retry-After) while the
 * other subjects of that tenant, and every other tenant, keep getting in; a token older than
 * maxTokenAgeMs is expired. Bounds are tiny so that a few requests reach them.
 */
import { Controller, Get } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CurrentUser, type IamIdentity, IamModule } from '../../../src/index.js';
import { type TestJwksServer, TestSigner } from '../../../src/testing/index.js';
import { PLATFORMS, type RunningApp, request, startApp } from '../../support/nest-app.js';

const AUDIENCE = 'orders-api';
const TENANTS = ['acme', 'globex'] as const;

@Controller('orders')
class OrdersController {
  @Get()
  list(@CurrentUser() user: IamIdentity) {
    return { user: user.id, tenant: user.tenant };
  }
}

function oathkeeper(jwksUrl: string) {
  return {
    jwks: { url: jwksUrl },
    audience: AUDIENCE,
    replayProtection: { enabled: true, maxEntries: 10, maxSubjectSharePercent: 30 },
    identityHeader: 'Authorization',
  };
}

describe.each(PLATFORMS)('replay capacity on a real %s app', (platform) => {
  const signers = new Map<string, TestSigner>();
  const servers: TestJwksServer[] = [];
  let app: RunningApp;

  const get = (tenant: string, claims: Record<string, unknown>) => {
    const token = signers.get(tenant)?.mint({ aud: AUDIENCE, tenant, ...claims });
    return request(`${app.url}/orders`, {
      headers: { Authorization: `Bearer ${token}`, 'X-Tenant': tenant },
    });
  };

  beforeAll(async () => {
    const urls: Record<string, string> = {};
    for (const tenant of TENANTS) {
      const signer = TestSigner.create();
      const server = await signer.serve();
      signers.set(tenant, signer);
      servers.push(server);
      urls[tenant] = server.url;
    }
    const module = IamModule.forRoot({
      tenants: Object.fromEntries(
        TENANTS.map((tenant) => [
          tenant,
          { transport: 'oathkeeper', oathkeeper: oathkeeper(urls[tenant] ?? '') },
        ]),
      ),
      tenantResolver: { header: 'X-Tenant' },
    });
    app = await startApp({ imports: [module], controllers: [OrdersController] }, platform);
  });
  afterAll(async () => {
    await app?.close();
    for (const server of servers) await server.close();
  });

  it('refuses the flooding subject with 503, and no one else', async () => {
    const flood = [];
    for (let i = 0; i < 4; i += 1) flood.push(await get('acme', { sub: 'mallory' }));
    expect(flood.map((response) => response.status)).toEqual([200, 200, 200, 503]);
    expect(flood[3]?.body).toMatchObject({ code: 'auth.replay_capacity_exceeded' });
    expect(flood[3]?.headers.get('retry-after')).toBe('1');

    for (const sub of ['alice', 'bob']) {
      expect((await get('acme', { sub })).status).toBe(200);
    }
  });

  it('refuses a full tenant with 503, and keeps serving the other tenant', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) statuses.push((await get('acme', { sub: `user-${i}` })).status);
    // acme held 5 jtis from the test before; 5 more fill its 10.
    expect(statuses).toEqual([200, 200, 200, 200, 200, 503, 503, 503]);
    expect((await get('globex', { sub: 'mallory' })).status).toBe(200);
  });

  it('answers 401 expired for a token older than maxTokenAgeMs (60 s) plus skew', async () => {
    const iat = Math.floor(Date.now() / 1_000) - 95;
    const response = await get('globex', { sub: 'carol', iat, nbf: iat, exp: iat + 900 });
    expect(response).toMatchObject({ status: 401, body: { code: 'auth.failure.expired' } });
  });
});
