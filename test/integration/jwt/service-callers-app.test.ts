/**
 * Machine callers' Oathkeeper JWTs (iss = serviceIssuer) in real Nest apps, through every consumer
 * of `IamIdentity.kind`: HTTP controllers with the global guard (ServiceGuard, RoleGuard), WebSocket
 * gateways (socket.io and `ws`, where the token's expiry is re-checked per message) and GraphQL
 * (Apollo, Mercurius). A service never passes a user-only route and a user never a service route.
 */
import { Controller, Get } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CurrentUser,
  type IamIdentity,
  RequireRole,
  RequireScope,
  RequireService,
} from '../../../src/index.js';
import { type JsonResponse, PLATFORMS, request } from '../../support/nest-app.js';
import { type SignedApp, startSignedApp } from '../../support/signed-app.js';
import { effects } from '../graphql/resolvers.js';
import {
  codesByField,
  GRAPHQL_SERVERS,
  type GraphqlApp,
  type GraphqlResult,
  startGraphqlApp,
} from '../graphql/support.js';
import { connect, type GatewayClient, type GatewayPlatform } from '../websockets/clients.js';
import { handled, SocketIoChatGateway, WsChatGateway } from '../websockets/gateways.js';

const RESERVE = ['inventory:reserve'];

@Controller('inventory')
class InventoryController {
  @Get('reserve')
  @RequireScope('inventory:reserve')
  @RequireService('orders-api')
  reserve(@CurrentUser() caller: IamIdentity) {
    return { id: caller.id, kind: caller.kind, scope: caller.scope, roles: caller.roles };
  }

  @Get('mine')
  mine(@CurrentUser() caller: IamIdentity) {
    return { id: caller.id, kind: caller.kind };
  }

  @Get('admin')
  @RequireRole('admin')
  admin(@CurrentUser('id') id: string) {
    return { id };
  }
}

const codeOf = (response: JsonResponse) => (response.body as { code?: unknown } | undefined)?.code;

describe.each(PLATFORMS)('service callers over HTTP (%s)', (platform) => {
  let app: SignedApp;
  const get = (path: string, token: string) =>
    request(`${app.url}/inventory/${path}`, { headers: { Authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    app = await startSignedApp(platform, {
      audience: 'inventory-api',
      replay: true,
      metadata: { controllers: [InventoryController] },
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('lets the listed client with the scope in, audited with its client id', async () => {
    const allowed = app.nextEvent('authz.service.allow');
    const response = await get('reserve', app.serviceToken('orders-api', RESERVE));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      id: 'orders-api',
      kind: 'service',
      scope: RESERVE,
      roles: [],
    });
    expect((await allowed).subject).toBe('orders-api');
  });

  it.each<[string, () => string, number, string]>([
    ['another client', () => app.serviceToken('billing-api', RESERVE), 403, 'authz.service.deny'],
    ['no scope', () => app.serviceToken('orders-api', []), 403, 'authz.scope.deny'],
    ['a user', () => app.token('alice'), 403, 'authz.caller_kind.deny'],
    [
      'a user with client_id and scope claims',
      () => app.token('orders-api', { client_id: 'orders-api', scope: 'inventory:reserve' }),
      403,
      'authz.caller_kind.deny',
    ],
  ])('refuses %s on the service route', async (_, token, status, code) => {
    const response = await get('reserve', token());
    expect({ status: response.status, code: codeOf(response) }).toEqual({ status, code });
  });

  it('refuses a service on user routes, even with an admin role claim', async () => {
    const token = () =>
      app.serviceToken('orders-api', RESERVE, { metadataPublic: { roles: ['admin'] } });
    for (const path of ['mine', 'admin']) {
      const response = await get(path, token());
      expect({ status: response.status, code: codeOf(response) }).toEqual({
        status: 403,
        code: 'authz.caller_kind.deny',
      });
    }
    const user = await get('mine', app.token('alice'));
    expect(user.body).toEqual({ id: 'alice', kind: 'user' });
  });
});

describe.each<GatewayPlatform>(['socket.io', 'ws'])('service callers on %s gateways', (kind) => {
  let app: SignedApp;
  const clients: GatewayClient[] = [];
  const open = async (token: string) => {
    const client = await connect(kind, app.url, { authorization: `Bearer ${token}` });
    clients.push(client);
    return client;
  };
  const exception = (code: string, statusCode: number) => ({
    event: 'exception',
    data: { status: 'error', statusCode, code, message: expect.any(String) },
  });

  beforeAll(async () => {
    app = await startSignedApp('express', {
      audience: 'chat-api',
      replay: true,
      metadata: { providers: [kind === 'ws' ? WsChatGateway : SocketIoChatGateway] },
      prepare: (nest) => {
        if (kind === 'ws') nest.useWebSocketAdapter(new WsAdapter(nest));
      },
    });
  });
  afterAll(async () => {
    await app?.close();
  });
  beforeEach(() => {
    handled.length = 0;
  });
  afterEach(() => {
    vi.useRealTimers();
    for (const client of clients.splice(0)) client.close();
  });

  it("runs a service's messages on service handlers until its token expires", async () => {
    const client = await open(app.serviceToken('orders-api', RESERVE));
    client.send('reserve');
    expect(await client.next()).toEqual({ event: 'reserve', data: 'orders-api' });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 120_000);
    client.send('reserve');
    expect(await client.next()).toEqual(exception('auth.failure.expired', 401));
    expect(handled).toEqual(['reserve orders-api']);
  });

  it('refuses a service on a user handler and a user on the service handler', async () => {
    const service = await open(app.serviceToken('orders-api', RESERVE));
    service.send('whoami');
    expect(await service.next()).toEqual(exception('authz.caller_kind.deny', 403));
    const user = await open(app.token('alice'));
    user.send('reserve');
    expect(await user.next()).toEqual(exception('authz.caller_kind.deny', 403));
    user.send('whoami');
    expect(await user.next()).toEqual({ event: 'whoami', data: 'alice' });
    expect(handled).toEqual(['whoami alice']);
  });
});

describe.each(GRAPHQL_SERVERS)('service callers in GraphQL on $platform with $driver', (server) => {
  let app: GraphqlApp;
  const one = (body: GraphqlResult | GraphqlResult[]): GraphqlResult => {
    if (Array.isArray(body)) throw new Error('expected one result, got a batch');
    return body;
  };

  beforeAll(async () => {
    app = await startGraphqlApp(server, { replay: true });
  });
  afterAll(async () => {
    await app?.close();
  });
  beforeEach(() => {
    effects.length = 0;
  });

  it('resolves the service field for the service and refuses it the user fields', async () => {
    const { body } = await app.post(
      { query: '{ reserve secret }' },
      app.serviceToken('orders-api', RESERVE),
    );
    expect(one(body).data?.reserve).toBe('reserved for orders-api');
    expect(codesByField(one(body))).toEqual({ secret: 'authz.caller_kind.deny' });
    expect(effects).toEqual(['reserve by orders-api']);
  });

  it('refuses the service field to a user', async () => {
    const { body } = await app.post({ query: '{ reserve secret }' }, app.token('alice'));
    expect(codesByField(one(body))).toEqual({ reserve: 'authz.caller_kind.deny' });
    expect(effects).toEqual(['secret by alice']);
  });
});
