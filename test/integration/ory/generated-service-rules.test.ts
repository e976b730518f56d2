import { randomUUID } from 'node:crypto';
import { Controller, Get, Module, Post, type Type } from '@nestjs/common';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessRulesForApp,
  checkAccessRulesForApp,
  IamModule,
  type OathkeeperAccessRule,
  RequireScope,
  RequireService,
} from '../../../src/index.js';
import { type EchoUpstream, startEchoUpstream } from '../../support/ory/echo-upstream.js';
import {
  clientCredentialsToken,
  createServiceClient,
  type ServiceClient,
} from '../../support/ory/hydra-clients.js';
import type { OryStack } from '../../support/ory/stack.js';
import { useOryStack } from '../../support/ory/vitest.js';
import { newSession } from '../../support/rules-app.js';

@Controller('inventory')
class InventoryController {
  @Post('reserve')
  @RequireService('orders-api')
  @RequireScope('inventory:reserve')
  reserve() {}

  @Get(':sku')
  one() {}
}

function inventoryModule(stack: OryStack, serviceIssuer: string): Type<unknown> {
  const { kratosPublic, jwksUrl, issuer } = stack.urls;
  if (!kratosPublic || !jwksUrl || !issuer) throw new Error('the stack is missing a server');
  @Module({
    imports: [
      IamModule.forRoot({
        tenants: {
          default: {
            transport: 'oathkeeper',
            kratos: { publicUrl: kratosPublic },
            oathkeeper: {
              jwks: { url: jwksUrl },
              issuer,
              serviceIssuer,
              audience: 'inventory-api',
              replayProtection: { enabled: true },
              identityHeader: 'Authorization',
            },
          },
        },
      }),
    ],
    controllers: [InventoryController],
  })
  class InventoryAppModule {}
  return InventoryAppModule;
}

/**
 * A generated service rule, loaded by the real Oathkeeper v0.40.9 (which validates rule files, so
 * loading proves the shape) with the real Hydra behind its introspection: only a client
 * credentials token with the route's scope, meant for the service, passes to the upstream, and
 * reaches it as an id_token under serviceIssuer naming the client and its scopes.
 */
describe('generated service rules in the real Oathkeeper, with Hydra', () => {
  const ory = useOryStack({
    keto: false,
    hydra: true,
    oathkeeper: { routes: {}, matchingStrategy: 'regexp', audience: ['unused'] },
  });
  let upstream: EchoUpstream;
  let rules: OathkeeperAccessRule[];
  let ordersApi: ServiceClient;
  let options: Parameters<typeof accessRulesForApp>[1];
  const serviceIssuer = () => `${ory().urls.oathkeeperProxy}/services`;
  const hydra = () => {
    const { hydraPublic, hydraAdmin } = ory().urls;
    if (!hydraPublic || !hydraAdmin) throw new Error('Hydra is not running');
    return { hydraPublic, hydraAdmin };
  };
  const reserve = (authorization?: string) =>
    fetch(`${ory().urls.oathkeeperProxy}/inventory/reserve`, {
      method: 'POST',
      ...(authorization !== undefined && { headers: { Authorization: authorization } }),
    });
  const tokenFor = (client: ServiceClient, scope: string[], audience = ['inventory-api']) =>
    clientCredentialsToken(hydra().hydraPublic, client, { scope, audience });

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    options = {
      matchOrigin: ory().urls.oathkeeperProxy ?? '',
      upstream: upstream.url,
      introspectionUrl: `${hydra().hydraAdmin}/admin/oauth2/introspect`,
    };
    rules = await accessRulesForApp(inventoryModule(ory(), serviceIssuer()), options);
    await ory().setAccessRules(rules);
    ordersApi = await createServiceClient(hydra().hydraAdmin, {
      id: `orders-api-${randomUUID()}`,
      scope: ['inventory:reserve', 'inventory:read'],
      audience: ['inventory-api', 'billing-api'],
    });
  });
  afterAll(async () => {
    await upstream?.close();
  });

  it('agrees with its own check, and Oathkeeper serves it', async () => {
    const module = inventoryModule(ory(), serviceIssuer());
    expect(await checkAccessRulesForApp(module, rules, options)).toEqual([]);
    expect(rules.map((rule) => rule.id)).toContain('inventory-api:service[inventory:reserve]:post');
  });

  it('forwards a token with the scope as an id_token under serviceIssuer, fresh per request', async () => {
    const token = await tokenFor(ordersApi, ['inventory:reserve', 'inventory:read']);
    const keys = createRemoteJWKSet(new URL(ory().urls.jwksUrl ?? ''));
    const seen = new Set<string>();
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const before = upstream.hits.length;
      const response = await reserve(`Bearer ${token}`);
      expect(response.status).toBe(200);
      const hit = upstream.hits[before];
      const minted = hit?.headers.authorization?.replace(/^Bearer /, '') ?? '';
      const { payload } = await jwtVerify(minted, keys, {
        issuer: serviceIssuer(),
        audience: 'inventory-api',
      });
      expect(payload).toMatchObject({
        sub: ordersApi.id,
        client_id: ordersApi.id,
        scope: 'inventory:reserve inventory:read',
        tenant: 'default',
      });
      seen.add(String(payload.jti));
    }
    expect(seen.size).toBe(2);
  });

  it('refuses at the gateway a token without the scope, or meant for another service', async () => {
    const before = upstream.hits.length;
    const unscoped = await reserve(`Bearer ${await tokenFor(ordersApi, ['inventory:read'])}`);
    expect(unscoped.status).toBe(401);
    const elsewhere = await tokenFor(ordersApi, ['inventory:reserve'], ['billing-api']);
    expect((await reserve(`Bearer ${elsewhere}`)).status).toBe(403);
    expect(upstream.hits.length).toBe(before);
  });

  it('refuses a user at the gateway: a Kratos session, or no credentials, is no token to introspect', async () => {
    const before = upstream.hits.length;
    const user = await newSession(ory(), ['clerk']);
    expect((await reserve(`Bearer ${user.sessionToken}`)).status).toBe(401);
    expect((await reserve()).status).toBe(401);
    expect(upstream.hits.length).toBe(before);
    // The same session opens the user route, under the user issuer.
    const response = await fetch(`${ory().urls.oathkeeperProxy}/inventory/42`, {
      headers: { Authorization: `Bearer ${user.sessionToken}` },
    });
    expect(response.status).toBe(200);
    const minted = upstream.hits.at(-1)?.headers.authorization?.replace(/^Bearer /, '') ?? '';
    const { payload } = await jwtVerify(
      minted,
      createRemoteJWKSet(new URL(ory().urls.jwksUrl ?? '')),
    );
    expect(payload).toMatchObject({ iss: ory().urls.issuer, sub: user.identityId });
  });
});
