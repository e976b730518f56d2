import { randomUUID } from 'node:crypto';
import { Controller, Get, Param, Post } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessRulesForApp,
  CurrentUser,
  checkAccessRulesForApp,
  type IamIdentity,
  type OathkeeperAccessRule,
  RequireScope,
  RequireService,
} from '../../../src/index.js';
import { type RunningApp, request, startApp } from '../../support/nest-app.js';
import {
  clientCredentialsToken,
  createServiceClient,
  type ServiceClient,
} from '../../support/ory/hydra-clients.js';
import type { OryStack } from '../../support/ory/stack.js';
import { useOryStack } from '../../support/ory/vitest.js';
import { newSession, ordersModule } from '../../support/rules-app.js';

@Controller('inventory')
class InventoryController {
  @Post('reserve')
  @RequireService('orders-api')
  @RequireScope('inventory:reserve')
  reserve(@CurrentUser() caller: IamIdentity) {
    return { id: caller.id, kind: caller.kind, scope: caller.scope };
  }

  @Get(':sku')
  one(@Param('sku') sku: string, @CurrentUser() caller: IamIdentity) {
    return { sku, id: caller.id, kind: caller.kind };
  }
}

const inventoryModule = (stack: OryStack) =>
  ordersModule(stack, InventoryController, { audience: 'inventory-api' });

/** Oathkeeper's error shape, not the app's: the request never reached Nest. */
function atGateway(body: unknown): number | undefined {
  return (body as { error?: { code?: number } } | undefined)?.error?.code;
}

/**
 * A generated service rule, loaded by the real Oathkeeper v0.40.9 (which validates rule files, so
 * loading proves the shape) with the real Hydra behind its introspection, in front of the Nest
 * app it was generated from: only a client-credentials token with the route's scope, meant for
 * the service, passes the gateway, and the app takes the minted token for that service.
 */
describe('generated service rules in the real Oathkeeper, with Hydra, into Nest', () => {
  const ory = useOryStack({
    keto: false,
    hydra: true,
    oathkeeper: { routes: {}, matchingStrategy: 'regexp', audience: ['unused'] },
  });
  let app: RunningApp;
  let rules: OathkeeperAccessRule[];
  let ordersApi: ServiceClient;
  let options: Parameters<typeof accessRulesForApp>[1];
  const hydra = () => {
    const { hydraPublic, hydraAdmin } = ory().urls;
    if (!hydraPublic || !hydraAdmin) throw new Error('Hydra is not running');
    return { hydraPublic, hydraAdmin };
  };
  const proxy = (path: string, init?: RequestInit & { headers?: Record<string, string> }) =>
    request(`${ory().urls.oathkeeperProxy}${path}`, init);
  const reserve = (authorization?: string) =>
    proxy('/inventory/reserve', {
      method: 'POST',
      ...(authorization !== undefined && { headers: { Authorization: authorization } }),
    });
  const tokenFor = (client: ServiceClient, scope: string[], audience = ['inventory-api']) =>
    clientCredentialsToken(hydra().hydraPublic, client, { scope, audience });

  beforeAll(async () => {
    const module = inventoryModule(ory());
    app = await startApp({ imports: [module] }, 'express');
    options = {
      matchOrigin: ory().urls.oathkeeperProxy ?? '',
      upstream: app.url,
      introspectionUrl: `${hydra().hydraAdmin}/admin/oauth2/introspect`,
    };
    rules = await accessRulesForApp(module, options);
    await ory().setAccessRules(rules);
    ordersApi = await createServiceClient(hydra().hydraAdmin, {
      id: 'orders-api',
      scope: ['inventory:reserve', 'inventory:read'],
      audience: ['inventory-api', 'billing-api'],
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('agrees with its own check, and Oathkeeper serves it', async () => {
    expect(await checkAccessRulesForApp(inventoryModule(ory()), rules, options)).toEqual([]);
    expect(rules.map((rule) => rule.id)).toContain('inventory-api:service[inventory:reserve]:post');
  });

  it('lets a token with the scope through as the service, a fresh gateway JWT per request', async () => {
    const token = await tokenFor(ordersApi, ['inventory:reserve', 'inventory:read']);
    // Replay protection is on: the second call passes only with a new jti.
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const response = await reserve(`Bearer ${token}`);
      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        id: 'orders-api',
        kind: 'service',
        scope: ['inventory:reserve', 'inventory:read'],
      });
    }
  });

  it('refuses at the gateway a token without the scope (401) or meant for another service (403)', async () => {
    const unscoped = await reserve(`Bearer ${await tokenFor(ordersApi, ['inventory:read'])}`);
    expect([unscoped.status, atGateway(unscoped.body)]).toEqual([401, 401]);
    const elsewhere = await reserve(
      `Bearer ${await tokenFor(ordersApi, ['inventory:reserve'], ['billing-api'])}`,
    );
    expect([elsewhere.status, atGateway(elsewhere.body)]).toEqual([403, 403]);
  });

  it('leaves the client id to the service: another client with the scope is its 403', async () => {
    const other = await createServiceClient(hydra().hydraAdmin, {
      id: `billing-api-${randomUUID()}`,
      scope: ['inventory:reserve'],
      audience: ['inventory-api'],
    });
    const response = await reserve(`Bearer ${await tokenFor(other, ['inventory:reserve'])}`);
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'authz.service.deny' });
  });

  it('refuses a user at the gateway, and a service on the user route', async () => {
    const user = await newSession(ory(), ['clerk']);
    const session = await reserve(`Bearer ${user.sessionToken}`);
    expect([session.status, atGateway(session.body)]).toEqual([401, 401]);
    const none = await reserve();
    expect([none.status, atGateway(none.body)]).toEqual([401, 401]);

    const mine = await proxy('/inventory/42', {
      headers: { Authorization: `Bearer ${user.sessionToken}` },
    });
    expect(mine).toMatchObject({
      status: 200,
      body: { sku: '42', id: user.identityId, kind: 'user' },
    });
    const token = await tokenFor(ordersApi, ['inventory:reserve']);
    const machine = await proxy('/inventory/42', { headers: { Authorization: `Bearer ${token}` } });
    expect([machine.status, atGateway(machine.body)]).toEqual([401, 401]);
  });
});
