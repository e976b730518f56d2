/**
 * Whom a token id is claimed for: the tenant whose token it is and the token's subject (`sub`).
 * A cache may use it to bound what one tenant, or one subject, can hold; the key alone already
 * identifies the token.
 */
export interface ReplayClaimContext {
  readonly tenant: string;
  readonly subject: string;
}

/**
 * Remembers token ids (`jti`) so a captured token cannot be used twice.
 * Keys reach the cache already qualified by tenant (`<tenant>:<jti>`).
 */
export interface ReplayCache {
  seen(jti: string): Promise<boolean>;
  remember(jti: string, ttlMs: number, context?: ReplayClaimContext): Promise<void>;
  /**
   * Atomically records the jti and answers true when this is its first use. Preferred over
   * `seen` + `remember`, which two concurrent requests can both pass. The library always passes
   * `context`; a cache written before it existed may ignore it. Throwing a
   * `ReplayCapacityExceededError` answers 503 `auth.replay_capacity_exceeded`; any other failure
   * 503 `auth.upstream_unavailable`.
   */
  claim?(jti: string, ttlMs: number, context?: ReplayClaimContext): Promise<boolean>;
}

/** DI token of the {@link ReplayCache}. A provider with this token in any module of the app takes effect. */
export const REPLAY_CACHE = Symbol.for('nestjs-ory-iam:REPLAY_CACHE');
