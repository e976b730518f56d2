/**
 * Storage behind the Kratos session cache: an in-memory default and a Redis store ship with the
 * library. Values are serialized sessions; keys are hashes of (tenant, credential), never the
 * credential itself. Tags (session id, identity id, credential key) let a revoke or a logout evict
 * every key of a session.
 *
 * A session is fetched from Kratos before it is stored, and a revoke may evict in between: the
 * generation keeps that answer, possibly the revoked session, from being written back afterwards.
 * The cache reads `generation()` before asking Kratos and hands it to `set`.
 */
export interface SessionCacheStore {
  get(key: string): Promise<string | undefined>;
  /**
   * Stores `value` under `key` for `ttlMs`, tagged. With `generation`, stores nothing when
   * `deleteTagged` ran since `generation()` returned it. A store that cannot check and write in
   * one step checks before and again after writing, and removes what it wrote when the generation
   * moved in between.
   */
  set(
    key: string,
    value: string,
    ttlMs: number,
    tags: readonly string[],
    generation?: string,
  ): Promise<void>;
  /** Moves the generation, then removes every key set with this tag. */
  deleteTagged(tag: string): Promise<void>;
  /** An opaque value that changes whenever `deleteTagged` runs, in any process sharing the store. */
  generation(): Promise<string>;
}

/** DI token of the {@link SessionCacheStore}; a provider with it anywhere in the app takes effect. */
export const SESSION_CACHE_STORE = Symbol.for('nestjs-ory-iam:SESSION_CACHE_STORE');
