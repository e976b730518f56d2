import { randomUUID } from 'node:crypto';
import type { RedisCommandClient, RedisConnectionOptions } from '../redis/redis-client.js';
import { RedisStore } from '../redis/redis-store.js';
import type { SessionCacheStore } from './session-cache-store.js';

/** Options of {@link RedisSessionStore}. */
export interface RedisSessionStoreOptions extends RedisConnectionOptions {
  /**
   * Prepended to every key (`<keyPrefix>entry:<key>`, `<keyPrefix>tag:<tag>`,
   * `<keyPrefix>generation`). Default `iam:session:`.
   */
  keyPrefix?: string;
}

/**
 * The generation key expires like every other key of the store. A day is far longer than any
 * whoami a write waits for; when it has expired the generation reads `'0'`, which differs from the
 * value any write in flight read earlier, so such a write is dropped, never let through.
 */
const GENERATION_TTL_MS = 86_400_000;

/** Adds an entry to a tag's set and extends the set's expiry, never shortening it. One key: cluster-safe. */
const TAG_SCRIPT = `redis.call('SADD', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`;

/**
 * The Kratos session cache in Redis, shared by every instance, so that a revoke through
 * `SessionService` evicts the session on all of them. Each entry expires on its own TTL; each tag
 * (session id, identity id, credential key) is a set of entry keys that lives as long as its
 * longest entry. Every command touches one key, so it works on Redis Cluster too.
 *
 * The generation is one key, set to a fresh random value by every `deleteTagged` before it deletes
 * anything. With one key per command a write cannot be checked and done atomically, so a write
 * with a generation checks it before and after: if an eviction came in between, the entry is
 * deleted again. Either the eviction's own delete or this one removes it; until then (one round
 * trip) a concurrent read may still see it.
 *
 * Every call is bounded by `timeoutMs` (default 250 ms); a failure rejects, and the transport then
 * asks Kratos instead. Register it as the `SESSION_CACHE_STORE` provider.
 */
export class RedisSessionStore extends RedisStore implements SessionCacheStore {
  private readonly keyPrefix: string;

  /** Uses your client; `close()` leaves it open. */
  constructor(client: RedisCommandClient, options: RedisSessionStoreOptions = {}) {
    super(client, options);
    this.keyPrefix = options.keyPrefix ?? 'iam:session:';
  }

  /**
   * A store with its own fail-fast connection to `url`, closed by `close()` or Nest's shutdown.
   * Needs the optional peer dependency `ioredis`.
   */
  static fromUrl(url: string, options: RedisSessionStoreOptions = {}): RedisSessionStore {
    // `this`, not the class's own name, which would make the build name it `_` + name
    // (see tsconfig.build.json).
    return RedisStore.owning(new this(RedisStore.connect(url, options), options));
  }

  async get(key: string): Promise<string | undefined> {
    const value = await this.redis.call('GET', this.entryKey(key));
    return typeof value === 'string' ? value : undefined;
  }

  /** Tags first: an entry whose tagging failed would escape a later revoke until its TTL. */
  async set(
    key: string,
    value: string,
    ttlMs: number,
    tags: readonly string[],
    generation?: string,
  ): Promise<void> {
    const px = Math.ceil(ttlMs);
    if (!(px > 0)) return;
    if (generation !== undefined && (await this.generation()) !== generation) return;
    const entryKey = this.entryKey(key);
    await Promise.all(
      tags.map((tag) => this.redis.call('EVAL', TAG_SCRIPT, 1, this.tagKey(tag), entryKey, px)),
    );
    await this.redis.call('SET', entryKey, value, 'PX', px);
    if (generation !== undefined && (await this.generation()) !== generation) {
      await this.redis.call('DEL', entryKey);
    }
  }

  async deleteTagged(tag: string): Promise<void> {
    await this.redis.call('SET', this.generationKey(), randomUUID(), 'PX', GENERATION_TTL_MS);
    const tagKey = this.tagKey(tag);
    const members = await this.redis.call('SMEMBERS', tagKey);
    const entryKeys = Array.isArray(members)
      ? members.filter((member): member is string => typeof member === 'string')
      : [];
    await Promise.all(entryKeys.map((entryKey) => this.redis.call('DEL', entryKey)));
    await this.redis.call('DEL', tagKey);
  }

  /** `'0'` until the first eviction. */
  async generation(): Promise<string> {
    const value = await this.redis.call('GET', this.generationKey());
    return typeof value === 'string' ? value : '0';
  }

  private generationKey(): string {
    return `${this.keyPrefix}generation`;
  }

  private entryKey(key: string): string {
    return `${this.keyPrefix}entry:${key}`;
  }

  private tagKey(tag: string): string {
    return `${this.keyPrefix}tag:${tag}`;
  }
}
