/**
 * WebSocket gateways behind the real Oathkeeper, which proxies the upgrade request: it checks the
 * Kratos session token of the handshake and hands the app its id_token (per-request jti, 60 s
 * ttl), which the app verifies against Oathkeeper's JWKS with replay protection on.
 */
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { IamModule } from '../../../src/index.js';
import { type RunningApp, startApp } from '../../support/nest-app.js';
import { registerNative } from '../../support/ory/kratos-flows.js';
import { useOryStack } from '../../support/ory/vitest.js';
import { connect, type GatewayClient, type GatewayPlatform } from './clients.js';
import { handled, SocketIoChatGateway, WsChatGatewayOnPath } from './gateways.js';

describe.each<GatewayPlatform>(['socket.io', 'ws'])(
  '%s gateway through the real Oathkeeper',
  (platform) => {
    const ory = useOryStack({ keto: false, oathkeeper: { routes: {} } });
    const path = platform === 'ws' ? '/chat' : '/socket.io';
    let app: RunningApp;
    const clients: GatewayClient[] = [];

    const open = async (headers: Record<string, string> = {}): Promise<GatewayClient> => {
      const client = await connect(platform, proxy(), headers, path);
      clients.push(client);
      return client;
    };
    const proxy = (): string => {
      const url = ory().urls.oathkeeperProxy;
      if (url === undefined) throw new Error('Oathkeeper is not running');
      return url;
    };
    const register = async () => {
      const { kratosPublic } = ory().urls;
      if (kratosPublic === undefined) throw new Error('Kratos is not running');
      return registerNative(kratosPublic, `ws-${randomUUID()}@example.com`, randomUUID());
    };

    beforeAll(async () => {
      const { jwksUrl, issuer } = ory().urls;
      if (jwksUrl === undefined || issuer === undefined)
        throw new Error('Oathkeeper is not running');
      app = await startApp(
        {
          imports: [
            IamModule.forRoot({
              tenants: {
                default: {
                  transport: 'oathkeeper',
                  oathkeeper: {
                    verifier: 'jwt',
                    jwks: { url: jwksUrl },
                    issuer,
                    audience: 'orders-api',
                    identityHeader: 'Authorization',
                    replayProtection: { enabled: true },
                  },
                },
              },
            }),
          ],
          providers: [platform === 'ws' ? WsChatGatewayOnPath : SocketIoChatGateway],
        },
        'express',
        undefined,
        (nest: INestApplication) => {
          if (platform === 'ws') nest.useWebSocketAdapter(new WsAdapter(nest));
        },
      );
      await ory().setRoutes({ [path]: app.url });
    });
    afterEach(() => {
      vi.useRealTimers();
      for (const client of clients.splice(0)) client.close();
      handled.length = 0;
    });
    afterAll(async () => {
      await app?.close();
    });

    it("handles the messages of a connection Oathkeeper let through, as the session's identity", async () => {
      const user = await register();
      const client = await open({ authorization: `Bearer ${user.sessionToken}` });
      for (const event of ['whoami', 'maybe', 'whoami']) {
        client.send(event);
        expect(await client.next()).toEqual({ event, data: user.identityId });
      }
      expect(handled).toEqual([
        `whoami ${user.identityId}`,
        `maybe ${user.identityId}`,
        `whoami ${user.identityId}`,
      ]);
    });

    it('never reaches the app without a session: Oathkeeper refuses the upgrade', async () => {
      await expect(open()).rejects.toThrow();
      await expect(open({ authorization: 'Bearer not-a-session' })).rejects.toThrow();
      expect(handled).toEqual([]);
    });

    it("closes the connection once Oathkeeper's token expired", async () => {
      const user = await register();
      const client = await open({ authorization: `Bearer ${user.sessionToken}` });
      client.send('whoami');
      expect(await client.next()).toEqual({ event: 'whoami', data: user.identityId });
      // Oathkeeper's id_token lives 60 s: move the clock past it rather than wait.
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + 120_000);
      client.send('whoami');
      expect(await client.next()).toMatchObject({
        event: 'exception',
        data: { code: 'auth.failure.expired', statusCode: 401 },
      });
      await client.closed;
      expect(handled).toEqual([`whoami ${user.identityId}`]);
    });
  },
);
