/**
 * Whom a token id is claimed for: the tenant whose token it is and the token's subject (`sub`),
 * and since when the token can have been in use. A cache may use it to bound what one tenant, or
 * one subject, can hold; the key alone already identifies the token.
 */
export interface ReplayClaimContext {
  readonly tenant: string;
  readonly subject: string;
  /**
   * The earliest moment, in milliseconds since the Unix epoch on this host's clock, at which the
   * token can have been accepted anywhere: its `iat` (or its `nbf`, when later) less the allowed
   * clock skew. Absent when the token has neither claim. A cache that lost its records (a Redis
   * restart without persistence) compares it with the time of the loss: a token usable before it
   * may have been used before it, and cannot be proven unused (see `ReplayStateLostError`).
   * Optional, so that callers and caches written before it existed keep working.
   */
  readonly usableFromMs?: number;
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
   * `ReplayCapacityExceededError` answers 503 `auth.replay_capacity_exceeded`, a
   * `ReplayStateLostError` 503 `auth.replay_state_lost`; any other failure 503
   * `auth.upstream_unavailable`.
   */
  claim?(jti: string, ttlMs: number, context?: ReplayClaimContext): Promise<boolean>;
}

/** DI token of the {@link ReplayCache}. A provider with this token in any module of the app takes effect. */
export const REPLAY_CACHE = Symbol.for('nestjs-ory-iam:REPLAY_CACHE');
