/**
 * Storage behind the Kratos session cache: an in-memory default and a Redis store ship with the
 * library. Values are serialized sessions; keys are hashes of (tenant, credential), never the
 * credential itself. Tags (session id, identity id) let a revoke evict every key of a session.
 */
export interface SessionCacheStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number, tags: readonly string[]): Promise<void>;
  /** Removes every key set with this tag. */
  deleteTagged(tag: string): Promise<void>;
}

/** DI token of the {@link SessionCacheStore}; a provider with it anywhere in the app takes effect. */
export const SESSION_CACHE_STORE = Symbol.for('nestjs-ory-iam:SESSION_CACHE_STORE');
