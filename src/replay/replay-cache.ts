/**
 * Remembers token ids (`jti`) so a captured token cannot be used twice.
 * Keys reach the cache already qualified by tenant (`<tenant>:<jti>`).
 */
export interface ReplayCache {
  seen(jti: string): Promise<boolean>;
  remember(jti: string, ttlMs: number): Promise<void>;
  /**
   * Atomically records the jti and answers true when this is its first use. Preferred over
   * `seen` + `remember`, which two concurrent requests can both pass.
   */
  claim?(jti: string, ttlMs: number): Promise<boolean>;
}

/** DI token of the {@link ReplayCache}. A provider with this token in any module of the app takes effect. */
export const REPLAY_CACHE = Symbol.for('nestjs-ory-iam:REPLAY_CACHE');
