import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisReplayCache, RedisSessionStore } from '../../../src/index.js';
import { claimOnce } from '../../../src/replay/claim-once.js';
import { connectTestRedis, keysWithPrefix, uniquePrefix } from '../../support/redis.js';
import { TcpProxy } from '../../support/tcp-proxy.js';

let redis: Redis;

beforeAll(async () => {
  redis = await connectTestRedis();
});
afterAll(() => redis.quit());

describe('RedisReplayCache', () => {
  it.each([true, false])(
    'claims a jti once, atomically, under 100 concurrent calls (batchClaims %s)',
    async (batchClaims) => {
      const prefix = uniquePrefix('claim');
      const cache = new RedisReplayCache(redis, { keyPrefix: prefix, batchClaims });
      const answers = await Promise.all(
        Array.from({ length: 100 }, () => cache.claim('acme:one', 60_000)),
      );
      expect(answers.filter(Boolean)).toHaveLength(1);
      expect(await cache.seen('acme:one')).toBe(true);
      expect(await cache.seen('acme:other')).toBe(false);
    },
  );

  it('sends the claims of one turn as one EVAL that sets each key with its own TTL', async () => {
    const prefix = uniquePrefix('batch');
    const sent: string[] = [];
    const recording = {
      call: (command: string, ...args: (string | number)[]) => {
        sent.push(command);
        return redis.call(command, ...args);
      },
    };
    const cache = new RedisReplayCache(recording, { keyPrefix: prefix });
    await cache.claim('acme:warm', 1_000);
    sent.length = 0;
    await redis.set(`${prefix}acme:taken`, '1', 'PX', 60_000);
    const answers = await Promise.all([
      cache.claim('acme:a', 30_000),
      cache.claim('acme:taken', 90_000),
      cache.claim('acme:b', 90_000),
    ]);
    expect(answers).toEqual([true, false, true]);
    expect(sent).toEqual(['EVAL']);
    expect(await redis.get(`${prefix}acme:a`)).toBe('1');
    const [a, taken, b] = await Promise.all(
      ['acme:a', 'acme:taken', 'acme:b'].map((key) => redis.pttl(prefix + key)),
    );
    expect(a).toBeGreaterThan(25_000);
    expect(a).toBeLessThanOrEqual(30_000);
    // A claim that found the key leaves its TTL alone.
    expect(taken).toBeLessThanOrEqual(60_000);
    expect(b).toBeGreaterThan(85_000);
  });

  it('holds a jti whose hold is too long to write for the longest Redis takes, failing no claim beside it', async () => {
    const prefix = uniquePrefix('long');
    const cache = new RedisReplayCache(redis, { keyPrefix: prefix });
    const answers = await Promise.all([
      cache.claim('acme:ages', 1e300),
      cache.claim('acme:forever', Number.POSITIVE_INFINITY),
      cache.claim('acme:normal', 60_000),
    ]);
    expect(answers).toEqual([true, true, true]);
    const [ages, forever] = await Promise.all([
      redis.pttl(`${prefix}acme:ages`),
      redis.pttl(`${prefix}acme:forever`),
    ]);
    expect(ages).toBeGreaterThan(Number.MAX_SAFE_INTEGER - 60_000);
    expect(forever).toBeGreaterThan(Number.MAX_SAFE_INTEGER - 60_000);
    expect(await cache.claim('acme:ages', 60_000)).toBe(false);
    await redis.del(`${prefix}acme:ages`, `${prefix}acme:forever`);
  });

  it('answers 503 naming NOPERM for a Redis user without scripts, and works there with batchClaims false', async () => {
    const user = `iam-test-${randomUUID()}`;
    await redis.call('ACL', 'SETUSER', user, 'on', '>secret', '~*', '+@all', '-@scripting');
    const limited = await connectTestRedis({ username: user, password: 'secret' });
    try {
      const keyPrefix = uniquePrefix('acl');
      const batched = new RedisReplayCache(limited, { keyPrefix });
      await expect(claimOnce(batched, 'acme:x', 60_000)).rejects.toMatchObject({
        code: 'auth.upstream_unavailable',
        reason: 'Replay cache: Redis NOPERM',
      });
      const unbatched = new RedisReplayCache(limited, { keyPrefix, batchClaims: false });
      expect(await claimOnce(unbatched, 'acme:x', 60_000)).toBe(true);
      expect(await claimOnce(unbatched, 'acme:x', 60_000)).toBe(false);
    } finally {
      await limited.quit();
      await redis.call('ACL', 'DELUSER', user);
    }
  });

  it("puts a batch's keys under the client's own keyPrefix, as a single SET would be", async () => {
    const clientPrefix = uniquePrefix('client');
    const prefixed = await connectTestRedis({ keyPrefix: clientPrefix });
    try {
      const batched = new RedisReplayCache(prefixed, { keyPrefix: 'b:' });
      const single = new RedisReplayCache(prefixed, { keyPrefix: 's:', batchClaims: false });
      expect(await batched.claim('acme:x', 60_000)).toBe(true);
      expect(await single.claim('acme:x', 60_000)).toBe(true);
      const keys = await keysWithPrefix(redis, clientPrefix);
      expect(keys.filter((key) => key.endsWith(':acme:x')).sort()).toEqual([
        `${clientPrefix}b:acme:x`,
        `${clientPrefix}s:acme:x`,
      ]);
    } finally {
      await prefixed.quit();
    }
  });

  it('stores each key with the TTL it was given and leaves no key without one but the epoch', async () => {
    const prefix = uniquePrefix('ttl');
    const cache = new RedisReplayCache(redis, { keyPrefix: prefix });
    await cache.claim('acme:a', 90_000);
    await cache.remember('acme:b', 5_000);
    const keys = await keysWithPrefix(redis, prefix);
    expect(keys.sort()).toEqual([`${prefix}acme:a`, `${prefix}acme:b`, `${prefix}epoch`]);
    const jtis = keys.filter((key) => key !== `${prefix}epoch`);
    const ttls = await Promise.all(jtis.map((key) => redis.pttl(key)));
    expect(ttls.every((ttl) => ttl > 0)).toBe(true);
    // The epoch must outlive every jti: it expiring would read as a loss of Redis' data.
    expect(await redis.pttl(`${prefix}epoch`)).toBe(-1);
    await redis.del(`${prefix}epoch`);
    expect(await redis.pttl(`${prefix}acme:a`)).toBeGreaterThan(80_000);
    expect(await redis.pttl(`${prefix}acme:b`)).toBeLessThanOrEqual(5_000);
  });

  it('forgets a jti when its TTL runs out', async () => {
    const cache = new RedisReplayCache(redis, { keyPrefix: uniquePrefix('expiry') });
    await cache.claim('acme:short', 50);
    await expect.poll(() => cache.seen('acme:short'), { timeout: 2_000, interval: 20 }).toBe(false);
    expect(await cache.claim('acme:short', 50)).toBe(true);
  });

  it('rejects within its timeout when Redis cannot be reached, and never answers true', async () => {
    const cache = RedisReplayCache.fromUrl('redis://127.0.0.1:1', { timeoutMs: 200 });
    const started = Date.now();
    await expect(cache.claim('acme:x', 1_000)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1_500);
    // Nest's shutdown calls close(): it must not throw while Redis is away.
    await expect(cache.close()).resolves.toBeUndefined();
  });

  it('rejects while Redis is away and recovers by itself when it is back', async () => {
    const proxy = new TcpProxy('127.0.0.1', 6379);
    await proxy.start();
    const cache = RedisReplayCache.fromUrl(`redis://127.0.0.1:${proxy.port}`, {
      keyPrefix: uniquePrefix('outage'),
      timeoutMs: 200,
    });
    try {
      expect(await cache.claim('acme:before', 10_000)).toBe(true);
      await proxy.stop();
      await expect(cache.claim('acme:during', 10_000)).rejects.toThrow();
      await proxy.start();
      await expect
        .poll(() => cache.claim('acme:after', 10_000).catch(() => 'down'), {
          timeout: 10_000,
          interval: 100,
        })
        .toBe(true);
    } finally {
      await cache.close().catch(() => undefined);
      await proxy.stop();
    }
  });
});

describe('RedisSessionStore', () => {
  it('stores values with a TTL and evicts every key of a tag', async () => {
    const prefix = uniquePrefix('sessions');
    const store = new RedisSessionStore(redis, { keyPrefix: prefix });
    await store.set('k1', 'v1', 60_000, ['session:s1', 'identity:i1']);
    await store.set('k2', 'v2', 60_000, ['session:s2', 'identity:i1']);
    expect(await store.get('k1')).toBe('v1');
    await store.deleteTagged('session:s1');
    expect(await store.get('k1')).toBeUndefined();
    expect(await store.get('k2')).toBe('v2');
    await store.deleteTagged('identity:i1');
    expect(await store.get('k2')).toBeUndefined();
    const leftovers = await keysWithPrefix(redis, prefix);
    expect(leftovers.filter((key) => key.includes(':entry:'))).toEqual([]);
    const ttls = await Promise.all(leftovers.map((key) => redis.pttl(key)));
    expect(ttls.every((ttl) => ttl > 0)).toBe(true);
  });

  it('keeps a tag set alive as long as its longest entry, never shortening it', async () => {
    const prefix = uniquePrefix('tags');
    const store = new RedisSessionStore(redis, { keyPrefix: prefix });
    await store.set('long', 'v', 60_000, ['identity:i']);
    await store.set('short', 'v', 1_000, ['identity:i']);
    const keys = await keysWithPrefix(redis, prefix);
    const ttls = await Promise.all(keys.map((key) => redis.pttl(key)));
    expect(ttls.every((ttl) => ttl > 0)).toBe(true);
    expect(await redis.pttl(`${prefix}tag:identity:i`)).toBeGreaterThan(50_000);
  });

  it('rejects within its timeout when Redis cannot be reached', async () => {
    const store = RedisSessionStore.fromUrl('redis://127.0.0.1:1', { timeoutMs: 200 });
    await expect(store.get('k')).rejects.toThrow();
    await expect(store.close()).resolves.toBeUndefined();
  });
});
