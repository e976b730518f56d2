/**
 * Issue 15 item 5: a Redis without persistence that restarts forgets every jti it held, so each
 * token accepted before the restart would be accepted again. Two app instances share a Redis of
 * the test's own (`--save "" --appendonly no`); it is killed (SIGKILL) while requests flow, new
 * tokens and replays of accepted ones, and started again on the same port. No token is accepted
 * twice through the crash and the reconnects; every pre-restart token sent again afterwards is
 * refused (503 auth.replay_state_lost on its first use after the loss), though Redis no longer
 * holds its jti; tokens issued after the restart pass, once.
 * The test waits on ioredis' `ready` and the server's own output, never on sleeps.
 */
import { Controller, Get } from '@nestjs/common';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CurrentUser,
  IamModule,
  type IamModuleOptions,
  RedisReplayCache,
} from '../../../src/index.js';
import { type TestJwksServer, TestSigner } from '../../../src/testing/index.js';
import { type RunningApp, request, startApp } from '../../support/nest-app.js';
import { OwnRedisServer } from '../../support/redis.js';

@Controller('orders')
class OrdersController {
  @Get()
  list(@CurrentUser('id') id: string) {
    return { user: id };
  }
}

/** Clocks on one machine agree: no skew, so a token issued after the loss is told apart at once. */
function iamOptions(jwksUrl: string, replayCache: RedisReplayCache): IamModuleOptions {
  return {
    tenants: {
      default: {
        transport: 'oathkeeper',
        oathkeeper: {
          jwks: { url: jwksUrl },
          audience: 'orders-api',
          replayProtection: { enabled: true },
          clockSkewMs: 0,
          identityHeader: 'Authorization',
        },
      },
    },
    replayCache,
  };
}

/** A pod's own connection, with the fail-fast options docs/multi-pod.md asks for. */
function podClient(url: string): Redis {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
  });
  client.on('error', () => undefined);
  return client;
}

/** The client's next `ready` (events.once would reject on the reconnect errors before it). */
function nextReady(client: Redis): Promise<void> {
  return new Promise((resolve) => client.once('ready', () => resolve()));
}

async function ready(client: Redis): Promise<void> {
  if (client.status !== 'ready') await nextReady(client);
}

const signer = TestSigner.create();
const TOKENS = 30;
let jwks: TestJwksServer;
let redis: OwnRedisServer;
let clients: Redis[];
let pods: RunningApp[];
let admin: Redis;

function mintToken(): string {
  return signer.mint({ aud: ['orders-api'], tenant: 'default', sub: 'alice' });
}

function jtiOf(token: string): string {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());
  return String(payload.jti);
}

function get(app: RunningApp, token: string) {
  return request(`${app.url}/orders`, { headers: { authorization: `Bearer ${token}` } });
}

beforeAll(async () => {
  jwks = await signer.serve();
  redis = await OwnRedisServer.start();
  clients = [podClient(redis.url), podClient(redis.url)];
  await Promise.all(clients.map(ready));
  pods = await Promise.all(
    clients.map((client, index) =>
      startApp(
        {
          imports: [IamModule.forRoot(iamOptions(jwks.url, new RedisReplayCache(client)))],
          controllers: [OrdersController],
        },
        index === 0 ? 'express' : 'fastify',
      ),
    ),
  );
  admin = podClient(redis.url);
  await ready(admin);
});

afterAll(async () => {
  await Promise.all(pods?.map((pod) => pod.close()) ?? []);
  for (const client of [...(clients ?? []), admin]) client?.disconnect();
  await redis?.kill();
  await jwks?.close();
});

/**
 * Requests while Redis crashes and restarts: each round sends a new token to one pod and an
 * already accepted one to the other, alternating, and counts the 200s of every token.
 */
class Traffic {
  count = 0;
  private stopped = false;
  private readonly answers = new Map<string, number[]>();
  private readonly waiting: { count: number; resolve: () => void }[] = [];

  /** `used`: tokens accepted (once) before the traffic started. */
  constructor(private readonly used: string[]) {
    for (const token of used) this.answers.set(token, [200]);
  }

  async run(): Promise<void> {
    for (let round = 0; !this.stopped; round += 1) {
      const fresh = mintToken();
      const old = this.used[round % this.used.length] as string;
      await Promise.all([this.send(pods[round % 2], fresh), this.send(pods[(round + 1) % 2], old)]);
    }
  }

  /** Resolves once `count` requests have been answered. */
  sent(count: number): Promise<void> {
    if (this.count >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push({ count, resolve }));
  }

  stop(): void {
    this.stopped = true;
  }

  acceptedTwice(): string[] {
    return [...this.answers]
      .filter(([, got]) => got.filter((s) => s === 200).length > 1)
      .map(([t]) => t);
  }

  statuses(): number[] {
    return [...new Set([...this.answers.values()].flat())];
  }

  private async send(pod: RunningApp | undefined, token: string): Promise<void> {
    const { status } = await get(pod as RunningApp, token);
    if (status === 200) this.used.push(token);
    this.answers.set(token, [...(this.answers.get(token) ?? []), status]);
    this.count += 1;
    for (const waiter of this.waiting.filter((w) => w.count <= this.count)) waiter.resolve();
  }
}

describe('a Redis without persistence restarting mid-traffic', () => {
  const accepted: string[] = [];

  it('accepts each token once before the restart', async () => {
    for (let i = 0; i < TOKENS; i += 1) {
      const token = mintToken();
      expect((await get(pods[i % 2] as RunningApp, token)).status).toBe(200);
      accepted.push(token);
    }
    const replay = await get(pods[1] as RunningApp, accepted[0] as string);
    expect(replay).toMatchObject({ status: 401, body: { code: 'auth.failure.replay' } });
  });

  it('accepts none of them after the restart, though Redis forgot their jtis', async () => {
    const reconnected = clients.map(nextReady);
    const adminBack = nextReady(admin);
    // The traffic replays the first 10; the other 20 are left for the check below.
    const traffic = new Traffic(accepted.slice(0, 10));
    const running = traffic.run();
    await traffic.sent(20);
    await redis.kill();
    await redis.start();
    await Promise.all([...reconnected, adminBack]);
    await traffic.sent(traffic.count + 20);
    traffic.stop();
    await running;
    // Through the crash, the restart and the reconnects: no token was accepted twice.
    expect(traffic.acceptedTwice()).toEqual([]);
    expect(traffic.statuses()).toEqual(expect.arrayContaining([200, 503]));
    // What the epoch guards against: the restarted Redis holds none of their jtis.
    const keys = accepted.slice(10).map((token) => `iam:jti:default:${jtiOf(token)}`);
    expect(await admin.exists(...keys)).toBe(0);

    // Each token sent again, to the pod that did not accept it, then to the one that did.
    const responses = [];
    for (const [i, token] of accepted.entries()) {
      responses.push(await get(pods[(i + 1) % 2] as RunningApp, token));
      responses.push(await get(pods[i % 2] as RunningApp, token));
    }
    expect(responses.filter((response) => response.status === 200)).toHaveLength(0);
    // The first use after the restart is unprovable (503); later ones are plain replays (401),
    // as for the 10 the traffic had already sent again.
    for (const [i, response] of responses.entries()) {
      if (i >= 20 && i % 2 === 0) {
        expect(response).toMatchObject({ status: 503, body: { code: 'auth.replay_state_lost' } });
        expect(response.headers.get('retry-after')).toBe('1');
      } else {
        expect([401, 503]).toContain(response.status);
      }
    }
    const record = JSON.parse((await admin.get('iam:jti:epoch')) ?? '{}');
    expect(record.lostAtMs).toBeGreaterThan(0);
  });

  it('accepts tokens issued after the restart, each once, on both pods', async () => {
    // A token's iat has whole seconds: one issued in the second of the loss is still refused.
    await expect
      .poll(async () => (await get(pods[0] as RunningApp, mintToken())).status, {
        timeout: 5_000,
        interval: 100,
      })
      .toBe(200);
    for (const pod of pods) {
      const token = mintToken();
      expect((await get(pod, token)).status).toBe(200);
      const other = pods[(pods.indexOf(pod) + 1) % 2] as RunningApp;
      expect(await get(other, token)).toMatchObject({
        status: 401,
        body: { code: 'auth.failure.replay' },
      });
    }
  });
});
