/**
 * Thrown by a replay cache that lost its records (a Redis restarted without persistence, flushed
 * or evicted) when the token may have been used before the loss: it was issued before it, or it
 * carries no date. Such a token cannot be proven unused, so it is refused; the verifier answers
 * 503 `auth.replay_state_lost` with `Retry-After: 1`, not 401 `auth.failure.replay`, because the
 * token is not known to be a replay and the cause is the server's. A token issued after the loss
 * passes. Custom caches may throw it too.
 */
export class ReplayStateLostError extends Error {
  constructor(
    /** When the cache detected the loss, in milliseconds since the Unix epoch. */
    readonly lostAtMs: number,
  ) {
    super(
      `The replay cache lost its records at ${new Date(lostAtMs).toISOString()}; ` +
        'this token may have been used before that.',
    );
    this.name = 'ReplayStateLostError';
  }
}
