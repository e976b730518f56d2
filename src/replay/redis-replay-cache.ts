import type { RedisCommandClient, RedisConnectionOptions } from '../redis/redis-client.js';
import { RedisStore } from '../redis/redis-store.js';
import { RedisClaimBatch } from './redis-claim-batch.js';
import { RedisEpoch } from './redis-epoch.js';
import type { ReplayCache, ReplayClaimContext } from './replay-cache.js';
import { ReplayStateLostError } from './replay-state-lost-error.js';

/** Options of {@link RedisReplayCache}. */
export interface RedisReplayCacheOptions extends RedisConnectionOptions {
  /** Prepended to every key, which is `<keyPrefix><tenant>:<jti>`. Default `iam:jti:`. */
  keyPrefix?: string;
  /**
   * The key (without expiry) naming the data set Redis holds, to detect that Redis lost it. Default
   * `<keyPrefix>epoch`, which no token key can equal (those have a `:` after the tenant).
   */
  epochKey?: string;
  /**
   * Send the claims of one turn of the event loop together, as one `EVAL` of a script running
   * their `SET NX`s (docs/multi-pod.md), rather than one `SET` each: under load, a share of one
   * command's cost per request instead of a whole one. Default true, except on a `Cluster` client,
   * which always sends one `SET` per claim. Set false for a Redis that forbids scripts (an ACL
   * without `@scripting`), or that sits behind a proxy routing each command by its first key
   * (Envoy, Twemproxy): there a batch's keys would all land on that key's server.
   */
  batchClaims?: boolean;
}

/**
 * A replay cache shared by every instance of a service, so that a captured token is accepted once
 * across all pods, not once per pod. Each claim is an atomic `SET <key> 1 PX <ttl> NX`: never a
 * read then a write, which two pods could both pass. The claims of one turn of the event loop go
 * out together in one `EVAL` running those `SET`s (option `batchClaims`); on Redis Cluster each is
 * a command of its own. Any ioredis client works: `Redis`, a Sentinel-backed `Redis`, or `Cluster`.
 *
 * Every call is bounded by `timeoutMs` (default 250 ms; a batched claim's from the end of its
 * turn, when the batch goes out); a Redis that is down, slow or hung makes the call reject, which
 * the verifier answers with 503 `auth.upstream_unavailable`, never with an allow. The cache
 * recovers by itself when Redis is back.
 *
 * A Redis that loses its records (a restart without persistence, a flush) would accept again every
 * token it had seen. The cache notices it on the client's reconnect (see {@link RedisEpoch}) and
 * then refuses, with 503 `auth.replay_state_lost`, every token that can have been used before the
 * loss, until such tokens have expired; tokens issued after it pass. Run Redis with persistence
 * and `maxmemory-policy noeviction` all the same (docs/multi-pod.md): a pod that starts after the
 * loss, or a key evicted under memory pressure, cannot be noticed.
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
  private readonly epoch: RedisEpoch;
  private readonly batch: RedisClaimBatch | undefined;

  /** Uses your client; `close()` leaves it open. */
  constructor(client: RedisCommandClient, options: RedisReplayCacheOptions = {}) {
    super(client, options);
    this.keyPrefix = options.keyPrefix ?? 'iam:jti:';
    this.epoch = new RedisEpoch(this.redis, options.epochKey ?? `${this.keyPrefix}epoch`);
    const batching = options.batchClaims !== false && client.isCluster !== true;
    this.batch = batching ? new RedisClaimBatch(this.redis) : undefined;
  }

  /**
   * A cache with its own connection to `url` (`redis://` or `rediss://`), set up to fail fast
   * rather than queue while Redis is away; `close()` (or Nest's shutdown, when the cache is a
   * provider) closes it. Synchronous, so it fits inline in `forRoot`. Needs the optional peer
   * dependency `ioredis`.
   */
  static fromUrl(url: string, options: RedisReplayCacheOptions = {}): RedisReplayCache {
    // `this`, not the class's own name, which would make the build name it `_` + name
    // (see tsconfig.build.json).
    return RedisStore.owning(new this(RedisStore.connect(url, options), options));
  }

  /**
   * True on the first use of `jti` within `ttlMs`, in one atomic command. Throws
   * `ReplayStateLostError` for a token that can have been used before Redis lost its records.
   */
  async claim(jti: string, ttlMs: number, context?: ReplayClaimContext): Promise<boolean> {
    const batch = this.batch;
    const first =
      batch === undefined
        ? (await this.setIfAbsent(jti, ttlMs)) === 'OK'
        : await batch.setIfAbsent(this.keyPrefix + jti, px(ttlMs));
    // Asked after the answer, not before: the client may have reconnected, to a Redis that lost
    // everything, while the SET was out. Until that connection's epoch check has answered, wait.
    const epoch = this.epoch;
    if (!epoch.checked) await epoch.check();
    if (!first) return false;
    if (epoch.refuses(ttlMs, context)) throw new ReplayStateLostError(epoch.lostAtMs ?? 0);
    return true;
  }

  async seen(jti: string): Promise<boolean> {
    return (await this.redis.call('EXISTS', this.keyPrefix + jti)) === 1;
  }

  async remember(jti: string, ttlMs: number): Promise<void> {
    await this.setIfAbsent(jti, ttlMs);
  }

  /** Also stops watching the client's reconnects. */
  override async close(): Promise<void> {
    this.epoch.close();
    await super.close();
  }

  private setIfAbsent(jti: string, ttlMs: number): Promise<unknown> {
    return this.redis.call('SET', this.keyPrefix + jti, '1', 'PX', px(ttlMs), 'NX');
  }
}

/** 285,000 years: within what Redis can add to its clock (a signed 64-bit count of milliseconds). */
const LONGEST_PX = Number.MAX_SAFE_INTEGER;

/**
 * Redis wants a positive whole PX it can add to its clock; rounding up never shortens the window a
 * jti is refused in. A hold too long to write (a token whose `exp` lies ages ahead, with
 * `maxTokenAgeMs: false`) gets the longest hold rather than a PX Redis refuses, which would fail
 * the whole batch the claim is in.
 */
function px(ttlMs: number): number {
  const whole = Math.ceil(ttlMs);
  return Number.isSafeInteger(whole) ? Math.max(1, whole) : LONGEST_PX;
}
