import type { OnApplicationShutdown } from '@nestjs/common';
import {
  BoundedRedis,
  connectRedis,
  DEFAULT_REDIS_TIMEOUT_MS,
  type RedisCommandClient,
  type RedisConnectionOptions,
} from '../redis/redis-client.js';
import type { SessionCacheStore } from './session-cache-store.js';

/** Options of {@link RedisSessionStore}. */
export interface RedisSessionStoreOptions extends RedisConnectionOptions {
  /** Prepended to every key (`<keyPrefix>entry:<key>`, `<keyPrefix>tag:<tag>`). Default `iam:session:`. */
  keyPrefix?: string;
}

/** Adds an entry to a tag's set and extends the set's expiry, never shortening it. One key: cluster-safe. */
const TAG_SCRIPT = `redis.call('SADD', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`;

/**
 * The Kratos session cache in Redis, shared by every instance, so that a revoke through
 * `SessionService` evicts the session on all of them. Each entry expires on its own TTL; each tag
 * (session id, identity id) is a set of entry keys that lives as long as its longest entry. Every
 * command touches one key, so it works on Redis Cluster too.
 *
 * Every call is bounded by `timeoutMs` (default 250 ms); a failure rejects, and the transport then
 * asks Kratos instead. Register it as the `SESSION_CACHE_STORE` provider.
 */
export class RedisSessionStore implements SessionCacheStore, OnApplicationShutdown {
  private readonly redis: BoundedRedis;
  private readonly keyPrefix: string;
  private ownsClient = false;

  /** Uses your client; `close()` leaves it open. */
  constructor(client: RedisCommandClient, options: RedisSessionStoreOptions = {}) {
    this.redis = new BoundedRedis(client, options.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS);
    this.keyPrefix = options.keyPrefix ?? 'iam:session:';
  }

  /**
   * A store with its own fail-fast connection to `url`, closed by `close()` or Nest's shutdown.
   * Needs the optional peer dependency `ioredis`, loaded only here (see `RedisReplayCache.fromUrl`).
   */
  static fromUrl(url: string, options: RedisSessionStoreOptions = {}): RedisSessionStore {
    const timeoutMs = options.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
    const store = new RedisSessionStore(connectRedis(url, timeoutMs), options);
    store.ownsClient = true;
    return store;
  }

  async get(key: string): Promise<string | undefined> {
    const value = await this.redis.call('GET', this.entryKey(key));
    return typeof value === 'string' ? value : undefined;
  }

  /** Tags first: an entry whose tagging failed would escape a later revoke until its TTL. */
  async set(key: string, value: string, ttlMs: number, tags: readonly string[]): Promise<void> {
    const px = Math.ceil(ttlMs);
    if (!(px > 0)) return;
    const entryKey = this.entryKey(key);
    await Promise.all(
      tags.map((tag) => this.redis.call('EVAL', TAG_SCRIPT, 1, this.tagKey(tag), entryKey, px)),
    );
    await this.redis.call('SET', entryKey, value, 'PX', px);
  }

  async deleteTagged(tag: string): Promise<void> {
    const tagKey = this.tagKey(tag);
    const members = await this.redis.call('SMEMBERS', tagKey);
    const entryKeys = Array.isArray(members)
      ? members.filter((member): member is string => typeof member === 'string')
      : [];
    await Promise.all(entryKeys.map((entryKey) => this.redis.call('DEL', entryKey)));
    await this.redis.call('DEL', tagKey);
  }

  /** Closes the connection `fromUrl` opened; a client you passed stays open. */
  async close(): Promise<void> {
    if (!this.ownsClient) return;
    this.ownsClient = false;
    await this.redis.client.quit?.();
  }

  /** Nest calls this when the store is registered as a provider. */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private entryKey(key: string): string {
    return `${this.keyPrefix}entry:${key}`;
  }

  private tagKey(tag: string): string {
    return `${this.keyPrefix}tag:${tag}`;
  }
}
