import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisSessionStore } from '../../../src/index.js';
import type { RedisCommandClient } from '../../../src/redis/redis-client.js';
import { connectTestRedis, keysWithPrefix, uniquePrefix } from '../../support/redis.js';

let redis: Redis;

beforeAll(async () => {
  redis = await connectTestRedis();
});
afterAll(() => redis.quit());

/** A client that runs `before` once, just before the first command `matches` goes to Redis. */
function interceptingClient(
  matches: (command: string, args: readonly (string | number)[]) => boolean,
  before: () => Promise<void>,
): RedisCommandClient {
  let pending: (() => Promise<void>) | undefined = before;
  return {
    async call(command, ...args) {
      if (pending !== undefined && matches(command, args)) {
        const run = pending;
        pending = undefined;
        await run();
      }
      return redis.call(command, ...args);
    },
  };
}

describe('RedisSessionStore generation', () => {
  it('moves on every eviction, for every instance sharing the prefix', async () => {
    const prefix = uniquePrefix('generation');
    const here = new RedisSessionStore(redis, { keyPrefix: prefix });
    const elsewhere = new RedisSessionStore(redis, { keyPrefix: prefix });
    const before = await here.generation();

    await elsewhere.deleteTagged('session:unrelated');

    expect(await here.generation()).not.toBe(before);
    await here.set('k', 'v', 60_000, ['session:s'], before);
    expect(await here.get('k')).toBeUndefined();
    await here.set('k', 'v', 60_000, ['session:s'], await here.generation());
    expect(await here.get('k')).toBe('v');
    // Like every key of the store, the generation expires.
    expect(await redis.pttl(`${prefix}generation`)).toBeGreaterThan(0);
  });

  it('deletes its entry again when an eviction lands between its check and its SET', async () => {
    const prefix = uniquePrefix('generation-race');
    const revoker = new RedisSessionStore(redis, { keyPrefix: prefix });
    // Another pod revokes the session after this write checked the generation, before its SET:
    // the revoke's SMEMBERS sees the tag, but its DEL comes before the entry exists.
    const writer = new RedisSessionStore(
      interceptingClient(
        (command, args) => command === 'SET' && args[0] === `${prefix}entry:k`,
        () => revoker.deleteTagged('session:s'),
      ),
      { keyPrefix: prefix },
    );

    await writer.set('k', 'v', 60_000, ['session:s'], await writer.generation());

    expect(await writer.get('k')).toBeUndefined();
    expect((await keysWithPrefix(redis, prefix)).filter((key) => key.includes(':entry:'))).toEqual(
      [],
    );
  });
});
