import { Controller, Get, Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CurrentUser,
  IamModule,
  type IamModuleOptions,
  REPLAY_CACHE,
  RedisReplayCache,
  type ReplayCache,
} from '../../../src/index.js';
import { type TestJwksServer, TestSigner } from '../../../src/testing/index.js';
import { type RunningApp, request, startApp } from '../../support/nest-app.js';
import { connectTestRedis, keysWithPrefix, uniquePrefix } from '../../support/redis.js';
import { TcpProxy } from '../../support/tcp-proxy.js';

@Controller('orders')
class OrdersController {
  @Get()
  list(@CurrentUser('id') id: string) {
    return { user: id };
  }
}

function iamOptions(jwksUrl: string, replayCache?: ReplayCache): IamModuleOptions {
  return {
    tenants: {
      default: {
        transport: 'oathkeeper',
        oathkeeper: {
          jwks: { url: jwksUrl },
          audience: 'orders-api',
          replayProtection: { enabled: true },
          identityHeader: 'Authorization',
        },
      },
    },
    replayCache,
  };
}

const signer = TestSigner.create();
let jwks: TestJwksServer;
let redis: Redis;

beforeAll(async () => {
  redis = await connectTestRedis();
  jwks = await signer.serve();
});
afterAll(async () => {
  await jwks.close();
  await redis.quit();
});

function mintToken(): string {
  return signer.mint({ aud: ['orders-api', 'inventory-api'], tenant: 'default', sub: 'alice' });
}

function get(app: RunningApp, token: string) {
  return request(`${app.url}/orders`, { headers: { authorization: `Bearer ${token}` } });
}

describe('two instances sharing one Redis', () => {
  const prefix = uniquePrefix('instances');
  let first: RunningApp;
  let second: RunningApp;

  beforeAll(async () => {
    first = await startApp(
      {
        imports: [
          IamModule.forRoot(
            iamOptions(jwks.url, new RedisReplayCache(redis, { keyPrefix: prefix })),
          ),
        ],
        controllers: [OrdersController],
      },
      'express',
    );
    second = await startApp(
      {
        imports: [IamModule.forRoot(iamOptions(jwks.url))],
        controllers: [OrdersController],
        providers: [
          { provide: REPLAY_CACHE, useValue: new RedisReplayCache(redis, { keyPrefix: prefix }) },
        ],
      },
      'fastify',
    );
  });
  afterAll(async () => {
    await first.close();
    await second.close();
  });

  it('rejects on the second instance a token the first one accepted', async () => {
    const token = mintToken();
    expect(await get(first, token)).toMatchObject({ status: 200, body: { user: 'alice' } });
    expect(await get(second, token)).toMatchObject({
      status: 401,
      body: { code: 'auth.failure.replay' },
    });
  });

  it('lets exactly one of 100 concurrent uses of one token through across both instances', async () => {
    const token = mintToken();
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, index) => get(index % 2 === 0 ? first : second, token)),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 401)).toHaveLength(99);
  });

  it('leaves every jti key with a TTL of at least the token lifetime', async () => {
    // The epoch key (no TTL, by design) names the data set, to notice Redis losing it.
    const keys = (await keysWithPrefix(redis, prefix)).filter((key) => key !== `${prefix}epoch`);
    expect(keys.length).toBeGreaterThan(0);
    const ttls = await Promise.all(keys.map((key) => redis.pttl(key)));
    expect(Math.min(...ttls)).toBeGreaterThan(60_000);
  });
});

describe("the walkthrough's REPLAY_CACHE override (seen + remember only)", () => {
  @Injectable()
  class WalkthroughRedisReplayCache implements ReplayCache {
    static readonly prefix = uniquePrefix('walkthrough');
    constructor(@Inject('REDIS') private readonly redis: Redis) {}
    async seen(jti: string) {
      return (await this.redis.get(`${WalkthroughRedisReplayCache.prefix}${jti}`)) !== null;
    }
    async remember(jti: string, ttlMs: number) {
      await this.redis.set(`${WalkthroughRedisReplayCache.prefix}${jti}`, '1', 'PX', ttlMs, 'NX');
    }
  }
  let app: RunningApp;

  beforeAll(async () => {
    app = await startApp(
      {
        imports: [IamModule.forRoot(iamOptions(jwks.url))],
        controllers: [OrdersController],
        providers: [
          { provide: 'REDIS', useValue: redis },
          { provide: REPLAY_CACHE, useClass: WalkthroughRedisReplayCache },
        ],
      },
      'express',
    );
  });
  afterAll(() => app.close());

  it('takes effect: the jti lands in Redis and a replay is refused', async () => {
    const token = mintToken();
    expect((await get(app, token)).status).toBe(200);
    expect(await keysWithPrefix(redis, WalkthroughRedisReplayCache.prefix)).toHaveLength(1);
    expect(await get(app, token)).toMatchObject({
      status: 401,
      body: { code: 'auth.failure.replay' },
    });
  });
});

describe('Redis going away', () => {
  const proxy = new TcpProxy('127.0.0.1', 6379);
  let cache: RedisReplayCache;
  let app: RunningApp;

  beforeAll(async () => {
    await proxy.start();
    cache = RedisReplayCache.fromUrl(`redis://127.0.0.1:${proxy.port}`, {
      keyPrefix: uniquePrefix('outage'),
      timeoutMs: 250,
    });
    app = await startApp(
      {
        imports: [IamModule.forRoot(iamOptions(jwks.url, cache))],
        controllers: [OrdersController],
      },
      'express',
    );
  });
  afterAll(async () => {
    await app.close();
    await cache.close().catch(() => undefined);
    await proxy.stop();
  });

  it('answers 503 within the timeout while it is down and 200 again once it is back, without a restart', async () => {
    expect((await get(app, mintToken())).status).toBe(200);
    await proxy.stop();
    const started = Date.now();
    const during = await get(app, mintToken());
    expect(during).toMatchObject({ status: 503, body: { code: 'auth.upstream_unavailable' } });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(during.headers.get('retry-after')).not.toBeNull();
    await proxy.start();
    await expect
      .poll(async () => (await get(app, mintToken())).status, { timeout: 10_000, interval: 100 })
      .toBe(200);
  });
});
