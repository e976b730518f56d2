/**
 * Machine callers THROUGH the real Oathkeeper: a hand-written service rule (oauth2_introspection
 * against the real Hydra, id_token minted with the tenant's serviceIssuer and the client id and
 * scope from the introspection) in front of a Nest app using IamModule, next to a user rule
 * (Kratos session). Proves what Oathkeeper v0.40.9 puts in the session's Extra and how the claims
 * template renders it, and that users and services stay apart on both sides of the gateway.
 */
import { randomUUID } from 'node:crypto';
import { All, Controller, Req } from '@nestjs/common';
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
import { type NativeSession, registerNative } from '../../support/ory/kratos-flows.js';
import type { OryStack } from '../../support/ory/stack.js';
import { useOryStack } from '../../support/ory/vitest.js';

const AUDIENCE = 'inventory-api';
/** The contract's service claims template, `toJson` form (escapes what it renders). */
const SERVICE_CLAIMS = `{"aud": ["${AUDIENCE}"], "tenant": "default", "jti": "{{ uuidv4 }}", "client_id": {{ .Extra.client_id | toJson }}, "scope": {{ .Extra.scope | toJson }}}`;
/** The same with quoted `print`, as the contract first wrote it: the service must accept both. */
const SERVICE_CLAIMS_PRINT = `{"aud": ["${AUDIENCE}"], "tenant": "default", "jti": "{{ uuidv4 }}", "client_id": "{{ print .Extra.client_id }}", "scope": "{{ print .Extra.scope }}"}`;

/** The Oathkeeper JWT of the last request that reached `reserve`, to replay it. */
let lastGatewayToken: string | undefined;

@Controller('inventory')
class InventoryController {
  @All('reserve')
  @RequireScope('inventory:reserve')
  @RequireService('orders-api')
  reserve(
    @CurrentUser() caller: IamIdentity,
    @Req() request: { headers: Record<string, string | undefined> },
  ) {
    lastGatewayToken = request.headers.authorization?.replace(/^Bearer /, '');
    return { id: caller.id, kind: caller.kind, scope: caller.scope };
  }

  @All('mine')
  mine(@CurrentUser() caller: IamIdentity) {
    return { id: caller.id, kind: caller.kind };
  }
}

/**
 * One path, four rules told apart by method: GET a user's (Kratos session), POST and PUT a
 * service's (the two template forms), PATCH a misconfigured user rule minting the service issuer.
 */
function accessRules(proxy: string, upstream: string, serviceIssuer: string): unknown[] {
  const rule = (id: string, method: string, authenticators: unknown[], mutator: unknown) => ({
    id,
    upstream: { url: upstream, preserve_host: false },
    match: { url: `${proxy}/inventory<{,/**}>`, methods: [method] },
    authenticators,
    authorizer: { handler: 'allow' },
    mutators: [mutator],
  });
  const session = [{ handler: 'cookie_session' }, { handler: 'bearer_token' }];
  const introspection = [
    { handler: 'oauth2_introspection', config: { required_scope: ['inventory:reserve'] } },
  ];
  const serviceToken = (claims: string) => ({
    handler: 'id_token',
    config: { issuer_url: serviceIssuer, claims },
  });
  return [
    rule('users', 'GET', session, { handler: 'id_token' }),
    rule('services', 'POST', introspection, serviceToken(SERVICE_CLAIMS)),
    rule('services-print', 'PUT', introspection, serviceToken(SERVICE_CLAIMS_PRINT)),
    rule('users-with-service-issuer', 'PATCH', session, serviceToken(SERVICE_CLAIMS)),
  ];
}

function startInventoryApi(stack: OryStack, platform: Platform): Promise<RunningApp> {
  const { jwksUrl, issuer, oathkeeperProxy } = stack.urls;
  if (!jwksUrl || !issuer || !oathkeeperProxy) throw new Error('the stack is missing a server');
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
                serviceIssuer: `${oathkeeperProxy}/services`,
                audience: AUDIENCE,
                identityHeader: 'Authorization',
                replayProtection: { enabled: true },
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

describe.each(PLATFORMS)('machine callers through the real Oathkeeper (%s)', (platform) => {
  const ory = useOryStack({ keto: false, hydra: true, oathkeeper: { routes: {} } });
  let app: RunningApp;
  let ordersApi: ServiceClient;
  let user: NativeSession;
  const urls = () => {
    const { hydraPublic, hydraAdmin, oathkeeperProxy, kratosPublic } = ory().urls;
    if (!hydraPublic || !hydraAdmin || !oathkeeperProxy || !kratosPublic) {
      throw new Error('the stack is missing a server');
    }
    return { hydraPublic, hydraAdmin, oathkeeperProxy, kratosPublic };
  };
  const tokenFor = (client: ServiceClient, scope: string[]) =>
    clientCredentialsToken(urls().hydraPublic, client, { scope, audience: [AUDIENCE] });
  const throughGateway = (method: string, path: string, bearer: string) =>
    fetch(`${urls().oathkeeperProxy}${path}`, {
      method,
      headers: { Authorization: `Bearer ${bearer}` },
    });
  const codeOf = async (response: Response) => ((await response.json()) as { code?: string }).code;

  beforeAll(async () => {
    ordersApi = await createServiceClient(urls().hydraAdmin, {
      id: 'orders-api',
      scope: ['inventory:reserve', 'inventory:read'],
      audience: [AUDIENCE],
    });
    user = await registerNative(
      urls().kratosPublic,
      `${randomUUID()}@example.test`,
      'integration-Passw0rd',
    );
    app = await startInventoryApi(ory(), platform);
    const { oathkeeperProxy } = urls();
    await ory().setAccessRules(
      accessRules(oathkeeperProxy, app.url, `${oathkeeperProxy}/services`),
    );
  });
  afterAll(async () => {
    await app?.close();
  });

  it.each([
    ['POST', 'toJson'],
    ['PUT', 'print'],
  ])(
    'lets orders-api with the scope reach the service route as a service (%s: %s template)',
    async (method) => {
      lastGatewayToken = undefined;
      const token = await tokenFor(ordersApi, ['inventory:reserve', 'inventory:read']);
      const response = await throughGateway(method, '/inventory/reserve', token);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        id: 'orders-api',
        kind: 'service',
        scope: ['inventory:reserve', 'inventory:read'],
      });
      // What Oathkeeper minted from the introspection: its own iss and sub, the template's claims.
      expect(lastGatewayToken).toBeDefined();
      expect(decodeJwt(lastGatewayToken ?? '')).toMatchObject({
        iss: `${urls().oathkeeperProxy}/services`,
        sub: 'orders-api',
        aud: [AUDIENCE],
        tenant: 'default',
        client_id: 'orders-api',
        scope: 'inventory:reserve inventory:read',
      });
    },
  );

  it('refuses a replayed Oathkeeper JWT of a service call with 401 auth.failure.replay', async () => {
    const token = await tokenFor(ordersApi, ['inventory:reserve']);
    expect((await throughGateway('POST', '/inventory/reserve', token)).status).toBe(200);
    const minted = lastGatewayToken ?? '';
    const replayed = await fetch(`${app.url}/inventory/reserve`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${minted}` },
    });
    expect(replayed.status).toBe(401);
    expect(await codeOf(replayed)).toBe('auth.failure.replay');
  });

  it('is refused by Oathkeeper without the required scope, or without a token', async () => {
    lastGatewayToken = undefined;
    const withoutScope = await throughGateway(
      'POST',
      '/inventory/reserve',
      await tokenFor(ordersApi, ['inventory:read']),
    );
    // scope_strategy none (the default): Hydra's introspection checks the scope and answers
    // active: false, so Oathkeeper refuses with 401 before the service sees anything.
    expect(withoutScope.status).toBe(401);
    const noToken = await fetch(`${urls().oathkeeperProxy}/inventory/reserve`, { method: 'POST' });
    expect(noToken.status).toBe(401);
    expect(lastGatewayToken).toBeUndefined();
  });

  it('answers 403 authz.service.deny to another client holding the scope', async () => {
    const billing = await createServiceClient(urls().hydraAdmin, {
      id: `billing-api-${randomUUID()}`,
      scope: ['inventory:reserve'],
      audience: [AUDIENCE],
    });
    const response = await throughGateway(
      'POST',
      '/inventory/reserve',
      await tokenFor(billing, ['inventory:reserve']),
    );
    expect(response.status).toBe(403);
    expect(await codeOf(response)).toBe('authz.service.deny');
  });

  it('answers 403 authz.caller_kind.deny to a user on the service route, and a service on a user route', async () => {
    const mine = await throughGateway('GET', '/inventory/mine', user.sessionToken);
    expect(mine.status).toBe(200);
    expect(await mine.json()).toEqual({ id: user.identityId, kind: 'user' });

    const userOnService = await throughGateway('GET', '/inventory/reserve', user.sessionToken);
    expect(userOnService.status).toBe(403);
    expect(await codeOf(userOnService)).toBe('authz.caller_kind.deny');

    const token = await tokenFor(ordersApi, ['inventory:reserve']);
    const serviceOnUser = await throughGateway('POST', '/inventory/mine', token);
    expect(serviceOnUser.status).toBe(403);
    expect(await codeOf(serviceOnUser)).toBe('authz.caller_kind.deny');
  });

  it("refuses a user's session at the service rule: nothing for Hydra to introspect", async () => {
    const response = await throughGateway('POST', '/inventory/reserve', user.sessionToken);
    expect(response.status).toBe(401);
  });

  it('answers 401 auth.failure.malformed when a user rule mints the service issuer', async () => {
    const response = await throughGateway('PATCH', '/inventory/reserve', user.sessionToken);
    expect(response.status).toBe(401);
    expect(await codeOf(response)).toBe('auth.failure.malformed');
  });
});
