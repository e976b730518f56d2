/**
 * Issue 15 item 5: a Redis without persistence that restarts forgets every jti it held, so each
 * token accepted before the restart would be accepted again. Two app instances share a Redis of
 * the test's own (`--save "" --appendonly no`); it is killed mid-traffic and started again on the
 * same port. Every pre-restart token sent again is refused (503 auth.replay_state_lost, none
 * accepted), though Redis no longer holds its jti; tokens issued after the restart pass, once.
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
    await redis.kill();
    await redis.start();
    await Promise.all([...reconnected, adminBack]);
    // What the epoch guards against: the restarted Redis holds none of the jtis.
    expect(await admin.dbsize()).toBeLessThanOrEqual(1);

    // Each token sent again, to the pod that did not accept it, then to the one that did.
    const responses = [];
    for (const [i, token] of accepted.entries()) {
      responses.push(await get(pods[(i + 1) % 2] as RunningApp, token));
      responses.push(await get(pods[i % 2] as RunningApp, token));
    }
    expect(responses.filter((response) => response.status === 200)).toHaveLength(0);
    // The first use after the restart is unprovable (503); the second is a plain replay now.
    for (let i = 0; i < responses.length; i += 2) {
      expect(responses[i]).toMatchObject({ status: 503, body: { code: 'auth.replay_state_lost' } });
      expect(responses[i]?.headers.get('retry-after')).toBe('1');
      expect([401, 503]).toContain(responses[i + 1]?.status);
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
