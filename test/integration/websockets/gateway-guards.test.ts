/**
 * The library's decorators on real WebSocket gateways (socket.io and `ws` adapters) of a real Nest
 * app: the connection is authenticated once from its handshake (an Oathkeeper-style JWT, replay
 * protection on), each message checks expiry, roles and permissions (real Keto).
 */
import { HttpException } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { TestSigner } from '../../../src/testing/index.js';
import { freePorts } from '../../support/ory/ports.js';
import { useOryStack } from '../../support/ory/vitest.js';
import { ISSUER, type SignedApp, startSignedApp } from '../../support/signed-app.js';
import { KetoAdmin, ketoUrls, newId } from '../keto/support.js';
import { connect, type GatewayClient, type GatewayPlatform, type ServerEvent } from './clients.js';
import { handled, SocketIoChatGateway, WsChatGateway } from './gateways.js';

const AUDIENCE = 'chat-api';

function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

function exception(code: string, statusCode: number): ServerEvent {
  return {
    event: 'exception',
    data: { status: 'error', statusCode, code, message: expect.any(String) },
  };
}

describe.each<GatewayPlatform>(['socket.io', 'ws'])('gateways on %s', (platform) => {
  const ory = useOryStack({ kratos: false });
  let app: SignedApp;
  let keto: KetoAdmin;
  const clients: GatewayClient[] = [];

  /** A closed connection: a `ws` close says 4000 + status and the code; socket.io says the server did it. */
  const closedWith = (code: string, statusCode: number) =>
    platform === 'ws'
      ? { code: 4_000 + statusCode, reason: code }
      : { reason: 'io server disconnect' };

  async function open(headers: Record<string, string> = {}): Promise<GatewayClient> {
    const client = await connect(platform, app.url, headers);
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    const urls = ketoUrls(ory());
    keto = new KetoAdmin(urls.writeUrl);
    app = await startSignedApp('express', {
      audience: AUDIENCE,
      replay: true,
      keto: urls,
      metadata: { providers: [platform === 'ws' ? WsChatGateway : SocketIoChatGateway] },
      prepare: (nest) => {
        if (platform === 'ws') nest.useWebSocketAdapter(new WsAdapter(nest));
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

  it('refuses a message that needs an identity on a connection without credentials, and closes it', async () => {
    const client = await open();
    client.send('ping');
    expect(await client.next()).toEqual({ event: 'ping', data: 'pong' });
    client.send('maybe');
    expect(await client.next()).toEqual({ event: 'maybe', data: null });
    client.send('whoami');
    expect(await client.next()).toEqual(exception('auth.failure.missing_credentials', 401));
    expect(await client.closed).toEqual(closedWith('auth.failure.missing_credentials', 401));
    expect(handled).toEqual(['ping', 'maybe anonymous']);
  });

  it('handles every message of a connection with a valid token, verifying and claiming it once', async () => {
    const alice = newId('alice');
    const client = await open(bearer(app.token(alice)));
    for (const event of ['whoami', 'maybe', 'whoami']) {
      client.send(event);
      expect(await client.next()).toEqual({ event, data: alice });
    }
    expect(handled).toEqual([`whoami ${alice}`, `maybe ${alice}`, `whoami ${alice}`]);
    // Replay protection is on: a second verification of the handshake token would be a replay.
    expect(app.events.filter((e) => e.name === 'auth.success' && e.subject === alice)).toHaveLength(
      1,
    );
  });

  it("refuses another tenant's token and closes the connection", async () => {
    const client = await open(bearer(app.token(newId('mallory'), { tenant: 'other' })));
    client.send('whoami');
    expect(await client.next()).toEqual(exception('auth.tenant_mismatch', 401));
    expect(await client.closed).toEqual(closedWith('auth.tenant_mismatch', 401));
    expect(handled).toEqual([]);
  });

  it('refuses a forged token at the handshake', async () => {
    const forged = TestSigner.create().mint({
      sub: newId('mallory'),
      iss: ISSUER,
      aud: [AUDIENCE],
      tenant: 'default',
    });
    const client = await open(bearer(forged));
    client.send('whoami');
    expect(await client.next()).toEqual(exception('auth.failure.invalid_signature', 401));
    expect(await client.closed).toEqual(closedWith('auth.failure.invalid_signature', 401));
    expect(handled).toEqual([]);
  });

  it('refuses a token that expired before the handshake', async () => {
    const past = Math.floor(Date.now() / 1_000) - 600;
    const client = await open(
      bearer(app.token(newId('bob'), { iat: past - 60, nbf: past - 60, exp: past })),
    );
    client.send('whoami');
    expect(await client.next()).toEqual(exception('auth.failure.expired', 401));
    expect(await client.closed).toEqual(closedWith('auth.failure.expired', 401));
    expect(handled).toEqual([]);
  });

  it('closes the connection at the first message after its token expired', async () => {
    const carol = newId('carol');
    const client = await open(bearer(app.token(carol)));
    client.send('whoami');
    expect(await client.next()).toEqual({ event: 'whoami', data: carol });
    // The token lives 60 s: move the clock past it rather than wait.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 120_000);
    client.send('whoami');
    expect(await client.next()).toEqual(exception('auth.failure.expired', 401));
    expect(await client.closed).toEqual(closedWith('auth.failure.expired', 401));
    expect(handled).toEqual([`whoami ${carol}`]);
  });

  it('checks roles per message and keeps the connection open on a denial', async () => {
    const dave = newId('dave');
    const admin = newId('admin');
    const plain = await open(bearer(app.token(dave)));
    const privileged = await open(
      bearer(app.token(admin, { metadata_public: { roles: ['admin'] } })),
    );
    plain.send('admin');
    expect(await plain.next()).toEqual(exception('authz.role.deny', 403));
    plain.send('whoami');
    expect(await plain.next()).toEqual({ event: 'whoami', data: dave });
    privileged.send('admin');
    expect(await privileged.next()).toEqual({ event: 'admin', data: admin });
    expect(handled).toEqual([`whoami ${dave}`, `admin ${admin}`]);
  });

  it('checks permissions per message against the object in its payload', async () => {
    const [erin, mine, other] = [newId('erin'), newId('order'), newId('order')];
    await keto.write({ namespace: 'orders', object: mine, relation: 'view', subject: erin });
    const client = await open(bearer(app.token(erin)));
    client.send('order', { id: other });
    expect(await client.next()).toEqual(exception('authz.permission.deny', 403));
    client.send('order', { id: mine });
    expect(await client.next()).toEqual({ event: 'order', data: mine });
    client.send('order', 'not an object');
    expect(await client.next()).toEqual(exception('authz.permission.unresolved', 403));
    expect(handled).toEqual([`order ${mine}`]);
  });

  it('never lets one socket act as the identity of another', async () => {
    const [frank, grace] = [newId('frank'), newId('grace')];
    const first = await open(bearer(app.token(frank)));
    const second = await open(bearer(app.token(grace)));
    const anonymous = await open();
    first.send('whoami');
    second.send('whoami');
    anonymous.send('maybe');
    first.send('whoami');
    expect(await first.next()).toEqual({ event: 'whoami', data: frank });
    expect(await second.next()).toEqual({ event: 'whoami', data: grace });
    expect(await anonymous.next()).toEqual({ event: 'maybe', data: null });
    expect(await first.next()).toEqual({ event: 'whoami', data: frank });
    anonymous.send('whoami');
    expect(await anonymous.next()).toEqual(exception('auth.failure.missing_credentials', 401));
  });
});

describe('gateways of an app that maps its HTTP errors (errors.map)', () => {
  let app: SignedApp;
  const mapped: string[] = [];

  beforeAll(async () => {
    app = await startSignedApp('express', {
      audience: AUDIENCE,
      decisions: {
        errors: {
          map: (error) => {
            mapped.push(error.code);
            return new HttpException({ error: 'app shape' }, error.getStatus());
          },
        },
      },
      metadata: { providers: [SocketIoChatGateway] },
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  it("keeps the library's codes for a gateway, and still closes a failed connection", async () => {
    const plain = await connect('socket.io', app.url, bearer(app.token(newId('heidi'))));
    plain.send('admin');
    expect(await plain.next()).toEqual(exception('authz.role.deny', 403));
    plain.close();
    const anonymous = await connect('socket.io', app.url);
    anonymous.send('whoami');
    expect(await anonymous.next()).toEqual(exception('auth.failure.missing_credentials', 401));
    expect(await anonymous.closed).toEqual({ reason: 'io server disconnect' });
    expect(mapped).toEqual([]);
  });
});

describe('gateways when Keto cannot answer', () => {
  let app: SignedApp;

  beforeAll(async () => {
    // A port nothing listens on: every Keto check is refused.
    const [port] = await freePorts(1);
    app = await startSignedApp('express', {
      audience: AUDIENCE,
      keto: { readUrl: `http://127.0.0.1:${port}` },
      http: { retries: 0 },
      metadata: { providers: [SocketIoChatGateway] },
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('answers 503 with when to retry, and keeps the connection', async () => {
    const ivan = newId('ivan');
    const client = await connect('socket.io', app.url, bearer(app.token(ivan)));
    client.send('order', { id: newId('order') });
    expect(await client.next()).toEqual({
      event: 'exception',
      data: {
        status: 'error',
        statusCode: 503,
        code: 'auth.upstream_unavailable',
        message: expect.any(String),
        retryAfterSeconds: expect.any(Number),
      },
    });
    client.send('whoami');
    expect(await client.next()).toEqual({ event: 'whoami', data: ivan });
    client.close();
  });
});
