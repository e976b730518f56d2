/**
 * Machine identities end to end with real servers: Hydra issues client-credentials JWT access
 * tokens, a Nest app (IamModule, no stand-ins) verifies them locally against Hydra's JWKS, and
 * users arrive through the real Oathkeeper with its id_token, on both platforms.
 */
import { randomUUID } from 'node:crypto';
import { Controller, Get } from '@nestjs/common';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CurrentUser,
  type IamIdentity,
  IamModule,
  RequireScope,
  RequireService,
} from '../../../src/index.js';
import { PLATFORMS, type Platform, type RunningApp, startApp } from '../../support/nest-app.js';
import {
  clientCredentialsToken,
  createServiceClient,
  type ServiceClient,
} from '../../support/ory/hydra-clients.js';
import { registerNative } from '../../support/ory/kratos-flows.js';
import type { OryStack } from '../../support/ory/stack.js';
import { useOryStack } from '../../support/ory/vitest.js';

const SERVICE_HEADER = 'X-Service-Authorization';

@Controller('inventory')
class InventoryController {
  @Get('reserve')
  @RequireScope('inventory:reserve')
  @RequireService('orders-api')
  reserve(@CurrentUser() caller: IamIdentity) {
    return { id: caller.id, kind: caller.kind, scope: caller.scope };
  }

  @Get('mine')
  mine(@CurrentUser() caller: IamIdentity) {
    return { id: caller.id, kind: caller.kind };
  }
}

/** inventory-api: users through Oathkeeper (Authorization), services with Hydra tokens. */
function startInventoryApi(stack: OryStack, platform: Platform): Promise<RunningApp> {
  const { jwksUrl, issuer, hydraPublic } = stack.urls;
  if (!jwksUrl || !issuer || !hydraPublic) throw new Error('the stack is missing a server');
  return startApp(
    {
      imports: [
        IamModule.forRoot({
          tenants: {
            default: {
              transport: 'oathkeeper',
              oathkeeper: {
                jwks: { url: jwksUrl },
                issuer,
                audience: 'inventory-api',
                identityHeader: 'Authorization',
              },
              oauth2: {
                issuer: `${hydraPublic}/`,
                audience: 'inventory-api',
                jwks: { url: `${hydraPublic}/.well-known/jwks.json` },
                header: SERVICE_HEADER,
                // The expiry test waits for a real exp; no leeway keeps that wait short.
                clockSkewMs: 0,
              },
            },
          },
        }),
      ],
      controllers: [InventoryController],
    },
    platform,
  );
}

describe.each(PLATFORMS)('machine identities with the real Hydra (%s)', (platform) => {
  const ory = useOryStack({
    keto: false,
    hydra: true,
    oathkeeper: { routes: {}, claimsTemplate: 'per-request' },
  });
  let app: RunningApp;
  let ordersApi: ServiceClient;
  const hydra = () => {
    const { hydraPublic, hydraAdmin } = ory().urls;
    if (!hydraPublic || !hydraAdmin) throw new Error('Hydra is not running');
    return { hydraPublic, hydraAdmin };
  };
  const tokenFor = (client: ServiceClient, scope: string[], audience = ['inventory-api']) =>
    clientCredentialsToken(hydra().hydraPublic, client, { scope, audience });
  const asService = (path: string, token: string) =>
    fetch(`${app.url}${path}`, { headers: { [SERVICE_HEADER]: `Bearer ${token}` } });
  const codeOf = async (response: Response) => ((await response.json()) as { code: string }).code;

  beforeAll(async () => {
    ordersApi = await createServiceClient(hydra().hydraAdmin, {
      id: 'orders-api',
      scope: ['inventory:reserve', 'inventory:read'],
      audience: ['inventory-api', 'orders-api'],
    });
    app = await startInventoryApi(ory(), platform);
    await ory().setRoutes({ '/inventory': app.url });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('lets orders-api reserve with the inventory:reserve scope, reusing its token', async () => {
    const token = await tokenFor(ordersApi, ['inventory:reserve']);
    for (let use = 0; use < 2; use += 1) {
      const response = await asService('/inventory/reserve', token);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        id: 'orders-api',
        kind: 'service',
        scope: ['inventory:reserve'],
      });
    }
  });

  it('answers 403 authz.scope.deny to a token without the scope', async () => {
    const response = await asService(
      '/inventory/reserve',
      await tokenFor(ordersApi, ['inventory:read']),
    );
    expect(response.status).toBe(403);
    expect(await codeOf(response)).toBe('authz.scope.deny');
  });

  it('answers 403 authz.service.deny to another client with the scope', async () => {
    const billing = await createServiceClient(hydra().hydraAdmin, {
      id: `billing-api-${randomUUID()}`,
      scope: ['inventory:reserve'],
      audience: ['inventory-api'],
    });
    const response = await asService(
      '/inventory/reserve',
      await tokenFor(billing, ['inventory:reserve']),
    );
    expect(response.status).toBe(403);
    expect(await codeOf(response)).toBe('authz.service.deny');
  });

  it('answers 401 to a token minted for another audience', async () => {
    const token = await tokenFor(ordersApi, ['inventory:reserve'], ['orders-api']);
    const response = await asService('/inventory/reserve', token);
    expect(response.status).toBe(401);
    expect(await codeOf(response)).toBe('auth.failure.audience_mismatch');
  });

  it('answers 401 to a token once it has expired', async () => {
    const shortLived = await createServiceClient(hydra().hydraAdmin, {
      id: `orders-api-short-${randomUUID()}`,
      scope: ['inventory:reserve'],
      audience: ['inventory-api'],
      tokenLifespan: '1s',
    });
    const token = await tokenFor(shortLived, ['inventory:reserve']);
    const { exp } = decodeJwt(token);
    if (exp === undefined) throw new Error('Hydra minted a token without exp');
    // Time itself is what this test waits for: until just past the token's own exp.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, exp * 1_000 - Date.now()) + 50));
    const response = await asService('/inventory/reserve', token);
    expect(response.status).toBe(401);
    expect(await codeOf(response)).toBe('auth.failure.expired');
  });

  it("refuses a user's Oathkeeper JWT on the service route, and a service on the user route", async () => {
    const user = await registerNative(
      ory().urls.kratosPublic ?? '',
      `${randomUUID()}@example.test`,
      'integration-Passw0rd',
    );
    const throughOathkeeper = (path: string) =>
      fetch(`${ory().urls.oathkeeperProxy}${path}`, {
        headers: { Authorization: `Bearer ${user.sessionToken}` },
      });
    const mine = await throughOathkeeper('/inventory/mine');
    expect(mine.status).toBe(200);
    expect(await mine.json()).toEqual({ id: user.identityId, kind: 'user' });

    const reserve = await throughOathkeeper('/inventory/reserve');
    expect(reserve.status).toBe(403);
    expect(await codeOf(reserve)).toBe('authz.caller_kind.deny');

    const service = await asService(
      '/inventory/mine',
      await tokenFor(ordersApi, ['inventory:read']),
    );
    expect(service.status).toBe(403);
    expect(await codeOf(service)).toBe('authz.caller_kind.deny');
  });
});
