/**
 * A `ws` gateway whose connections are authenticated by the real Kratos from the handshake's
 * session token or cookie: the session's `expires_at` ends the connection, and a cookie handshake
 * another site's page opened is refused (cross-site WebSocket hijacking).
 */
import { WsAdapter } from '@nestjs/platform-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { IamModule } from '../../../src/index.js';
import { type RunningApp, startApp } from '../../support/nest-app.js';
import { loginBrowser, loginNative } from '../../support/ory/kratos-flows.js';
import {
  createIdentity,
  kratosUrls,
  PASSWORD,
  type TestUser,
  useKratosStack,
} from '../kratos/support.js';
import { connect, type GatewayClient } from './clients.js';
import { handled, WsChatGateway } from './gateways.js';

describe('ws gateway with Kratos sessions', () => {
  const ory = useKratosStack();
  let app: RunningApp;
  let user: TestUser;
  const clients: GatewayClient[] = [];

  const open = async (headers: Record<string, string>): Promise<GatewayClient> => {
    const client = await connect('ws', app.url, headers);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    const { publicUrl, adminUrl } = kratosUrls(ory());
    user = await createIdentity(adminUrl);
    app = await startApp(
      {
        imports: [
          IamModule.forRoot({
            tenants: {
              default: { transport: 'cookie-or-bearer', kratos: { publicUrl, adminUrl } },
            },
          }),
        ],
        providers: [WsChatGateway],
      },
      'express',
      undefined,
      (nest) => nest.useWebSocketAdapter(new WsAdapter(nest)),
    );
  });
  afterEach(() => {
    vi.useRealTimers();
    for (const client of clients.splice(0)) client.close();
    handled.length = 0;
  });
  afterAll(async () => {
    await app?.close();
  });

  it("closes the connection once the handshake's session has expired", async () => {
    const { publicUrl } = kratosUrls(ory());
    const { sessionToken } = await loginNative(publicUrl, user.email, PASSWORD);
    const whoami = await fetch(`${publicUrl}/sessions/whoami`, {
      headers: { 'X-Session-Token': sessionToken },
    });
    const { expires_at: expiresAt } = (await whoami.json()) as { expires_at: string };
    const client = await open({ 'x-session-token': sessionToken });
    client.send('whoami');
    expect(await client.next()).toEqual({ event: 'whoami', data: user.id });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.parse(expiresAt) + 1_000);
    client.send('whoami');
    expect(await client.next()).toMatchObject({
      event: 'exception',
      data: { code: 'auth.failure.session_inactive', statusCode: 401 },
    });
    expect(await client.closed).toEqual({ code: 4401, reason: 'auth.failure.session_inactive' });
    expect(handled).toEqual([`whoami ${user.id}`]);
  });

  it('accepts the session cookie from its own site and refuses it from another', async () => {
    const { publicUrl } = kratosUrls(ory());
    const cookie = await loginBrowser(publicUrl, user.email, PASSWORD);
    const own = await open({ cookie, origin: app.url });
    own.send('whoami');
    expect(await own.next()).toEqual({ event: 'whoami', data: user.id });

    const hijacked = await open({ cookie, origin: 'https://evil.test' });
    hijacked.send('whoami');
    expect(await hijacked.next()).toMatchObject({
      event: 'exception',
      data: { code: 'auth.csrf.origin_mismatch', statusCode: 403 },
    });
    expect(await hijacked.closed).toEqual({ code: 4403, reason: 'auth.csrf.origin_mismatch' });
    expect(handled).toEqual([`whoami ${user.id}`]);
  });
});
