/**
 * Issue 15 item 2, Redis: the replay check of a tenant goes through the tenant's Redis breaker.
 * A Redis of the test's own is killed (its port then refuses): the first replay checks wait for
 * their timeout and answer 503 auth.upstream_unavailable, then the breaker opens and they answer
 * 503 upstream.circuit_open at once, never an allow. Redis is started again on the same port: the
 * probe after halfOpenAfterMs closes the breaker and tokens pass again.
 */
import { Controller, Get } from '@nestjs/common';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUDIT_SINK,
  CurrentUser,
  type IamAuditEvent,
  IamModule,
  RedisReplayCache,
} from '../../../src/index.js';
import { type TestJwksServer, TestSigner } from '../../../src/testing/index.js';
import { firstAnswerWith, type RunningApp, request, startApp } from '../../support/nest-app.js';
import { OwnRedisServer } from '../../support/redis.js';

@Controller('orders')
class OrdersController {
  @Get()
  list(@CurrentUser('id') id: string) {
    return { user: id };
  }
}

const signer = TestSigner.create();
const events: IamAuditEvent[] = [];
let jwks: TestJwksServer;
let redis: OwnRedisServer;
let client: Redis;
let app: RunningApp;

function nextReady(redisClient: Redis): Promise<void> {
  return new Promise((resolve) => redisClient.once('ready', () => resolve()));
}

/** A fresh token per request: each is a first use, so only the replay store decides. */
function order() {
  const token = signer.mint({ aud: ['orders-api'], tenant: 'default', sub: 'alice' });
  return request(`${app.url}/orders`, { headers: { authorization: `Bearer ${token}` } });
}

beforeAll(async () => {
  jwks = await signer.serve();
  redis = await OwnRedisServer.start();
  client = new Redis(redis.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
  });
  client.on('error', () => undefined);
  if (client.status !== 'ready') await nextReady(client);
  app = await startApp(
    {
      imports: [
        IamModule.forRoot({
          tenants: {
            default: {
              transport: 'oathkeeper',
              oathkeeper: {
                jwks: { url: jwks.url },
                audience: 'orders-api',
                replayProtection: { enabled: true },
                // Tokens minted after the restart must be told apart from those before it.
                clockSkewMs: 0,
                identityHeader: 'Authorization',
              },
              http: { breaker: { failureThreshold: 3, halfOpenAfterMs: 500 } },
            },
          },
          replayCache: new RedisReplayCache(client, { timeoutMs: 250 }),
        }),
      ],
      controllers: [OrdersController],
      providers: [
        { provide: AUDIT_SINK, useValue: { emit: (event: IamAuditEvent) => events.push(event) } },
      ],
    },
    'express',
  );
});

afterAll(async () => {
  await app?.close();
  client?.disconnect();
  await redis?.kill();
  await jwks?.close();
});

describe('the Redis breaker of the replay check', () => {
  it('opens while Redis refuses, answering 503 at once and never allowing, and closes once Redis is back', async () => {
    expect((await order()).status).toBe(200);

    await redis.kill();
    const whileDown = [];
    for (let i = 0; i < 6; i += 1) whileDown.push(await order());
    const codes = whileDown.map((answer) => (answer.body as { code?: string }).code);
    expect(whileDown.map((answer) => answer.status)).toEqual([503, 503, 503, 503, 503, 503]);
    expect(codes).toEqual([
      'auth.upstream_unavailable',
      'auth.upstream_unavailable',
      'auth.upstream_unavailable',
      'upstream.circuit_open',
      'upstream.circuit_open',
      'upstream.circuit_open',
    ]);
    for (const answer of whileDown.slice(3)) {
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    const opened = events.find((event) => event.name === 'upstream.breaker.opened');
    expect(opened).toMatchObject({ tenant: 'default', detail: { upstream: 'redis-replay' } });
    expect(opened?.detail?.reason).toEqual(expect.any(String));

    const back = nextReady(client);
    await redis.start();
    await back;
    const allowed = await firstAnswerWith(200, order, 10_000);
    expect(allowed.body).toEqual({ user: 'alice' });
    const names = events
      .map((event) => event.name)
      .filter((name) => name.startsWith('upstream.breaker.'));
    expect(names.slice(0, 1)).toEqual(['upstream.breaker.opened']);
    expect(names.at(-1)).toBe('upstream.breaker.closed');
    expect(names).toContain('upstream.breaker.half_opened');
  });
});
