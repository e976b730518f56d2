import { describe, expect, it, vi } from 'vitest';
import { IamUpstreamUnavailableError } from '../../../src/errors/iam-errors.js';
import { claimOnce } from '../../../src/replay/claim-once.js';
import { guardReplayCache } from '../../../src/replay/guarded-replay-cache.js';
import type { ReplayCache } from '../../../src/replay/replay-cache.js';
import { ReplayStateLostError } from '../../../src/replay/replay-state-lost-error.js';
import { UpstreamGuard } from '../../../src/resilience/upstream-guard.js';
import { guardSessionStore } from '../../../src/session-cache/guarded-session-store.js';
import type { SessionCacheStore } from '../../../src/session-cache/session-cache-store.js';

const guard = (upstream: 'redis-replay' | 'redis-session') =>
  new UpstreamGuard(
    'shop',
    upstream,
    { maxConcurrent: 64, breaker: { enabled: true, failureThreshold: 2, halfOpenAfterMs: 60_000 } },
    () => undefined,
  );

const redisDown = () => Promise.reject(new Error('Redis SET did not answer within 250 ms'));

describe('the replay cache behind its Redis breaker', () => {
  it('answers 503 upstream.circuit_open through claimOnce once open, without asking Redis, never an allow', async () => {
    const claim = vi.fn(redisDown);
    const cache = guardReplayCache(
      { claim, seen: redisDown, remember: redisDown },
      guard('redis-replay'),
    );
    for (let i = 0; i < 2; i += 1) {
      await expect(claimOnce(cache, 'shop:jti', 1_000)).rejects.toMatchObject({
        code: 'auth.upstream_unavailable',
      });
    }
    const open = await claimOnce(cache, 'shop:jti', 1_000).catch((error: unknown) => error);
    expect(open).toBeInstanceOf(IamUpstreamUnavailableError);
    expect(open).toMatchObject({ code: 'upstream.circuit_open', retryAfterSeconds: 60 });
    expect(claim).toHaveBeenCalledTimes(2);
  });

  it('does not count a cache that lost its records: Redis answered', async () => {
    const lost: ReplayCache = {
      claim: () => Promise.reject(new ReplayStateLostError(Date.now())),
      seen: redisDown,
      remember: redisDown,
    };
    const guarded = guard('redis-replay');
    const cache = guardReplayCache(lost, guarded);
    for (let i = 0; i < 5; i += 1) {
      await expect(claimOnce(cache, 'shop:jti', 1_000)).rejects.toMatchObject({
        code: 'auth.replay_state_lost',
      });
    }
    expect(guarded.status().breaker).toBe('closed');
  });
});

describe('the session cache store behind its Redis breaker', () => {
  it('fails at once once open, so the cache asks Kratos without waiting for Redis', async () => {
    const get = vi.fn(redisDown);
    const store: SessionCacheStore = {
      get,
      set: redisDown,
      deleteTagged: redisDown,
      generation: redisDown,
    };
    const guarded = guardSessionStore(store, guard('redis-session'));
    await expect(guarded.get('a')).rejects.toThrow('did not answer');
    await expect(guarded.generation()).rejects.toThrow('did not answer');
    await expect(guarded.get('b')).rejects.toMatchObject({ code: 'upstream.circuit_open' });
    expect(get).toHaveBeenCalledTimes(1);
  });
});
