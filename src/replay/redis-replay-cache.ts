import type { RedisCommandClient, RedisConnectionOptions } from '../redis/redis-client.js';
import { RedisStore } from '../redis/redis-store.js';
import type { ReplayCache } from './replay-cache.js';

/** Options of {@link RedisReplayCache}. */
export interface RedisReplayCacheOptions extends RedisConnectionOptions {
  /** Prepended to every key, which is `<keyPrefix><tenant>:<jti>`. Default `iam:jti:`. */
  keyPrefix?: string;
}

/**
 * A replay cache shared by every instance of a service, so that a captured token is accepted once
 * across all pods, not once per pod. Each request costs one atomic `SET <key> 1 PX <ttl> NX`:
 * never a read then a write, which two pods could both pass. One command on one key is safe on
 * Redis Cluster, and any ioredis client works: `Redis`, a Sentinel-backed `Redis`, or `Cluster`.
 *
 * Every call is bounded by `timeoutMs` (default 250 ms); a Redis that is down, slow or hung makes
 * the call reject, which the verifier answers with 503 `auth.upstream_unavailable`, never with an
 * allow. The cache recovers by itself when Redis is back.
 *
 * For a client you create yourself, pass `enableOfflineQueue: false`, `maxRetriesPerRequest: 0`
 * and `autoResendUnfulfilledCommands: false` (see docs/multi-pod.md); the per-call bound holds
 * with any options.
 *
 * @example
 * IamModule.forRoot({ tenants, replayCache: new RedisReplayCache(redis) })
 */
export class RedisReplayCache extends RedisStore implements ReplayCache {
  private readonly keyPrefix: string;

  /** Uses your client; `close()` leaves it open. */
  constructor(client: RedisCommandClient, options: RedisReplayCacheOptions = {}) {
    super(client, options);
    this.keyPrefix = options.keyPrefix ?? 'iam:jti:';
  }

  /**
   * A cache with its own connection to `url` (`redis://` or `rediss://`), set up to fail fast
   * rather than queue while Redis is away; `close()` (or Nest's shutdown, when the cache is a
   * provider) closes it. Synchronous, so it fits inline in `forRoot`. Needs the optional peer
   * dependency `ioredis`.
   */
  static fromUrl(url: string, options: RedisReplayCacheOptions = {}): RedisReplayCache {
    return RedisStore.owning(new RedisReplayCache(RedisStore.connect(url, options), options));
  }

  /** True on the first use of `jti` within `ttlMs`, in one atomic command. */
  async claim(jti: string, ttlMs: number): Promise<boolean> {
    return (await this.setIfAbsent(jti, ttlMs)) === 'OK';
  }

  async seen(jti: string): Promise<boolean> {
    return (await this.redis.call('EXISTS', this.keyPrefix + jti)) === 1;
  }

  async remember(jti: string, ttlMs: number): Promise<void> {
    await this.setIfAbsent(jti, ttlMs);
  }

  /** Redis wants a positive whole PX; rounding up never shortens the window a jti is refused in. */
  private setIfAbsent(jti: string, ttlMs: number): Promise<unknown> {
    const px = Math.max(1, Math.ceil(ttlMs));
    return this.redis.call('SET', this.keyPrefix + jti, '1', 'PX', px, 'NX');
  }
}
