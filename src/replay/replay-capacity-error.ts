/**
 * Thrown by a replay cache that is working but has no room for another token id: the tenant's
 * share of it is full of live ids, or the token's subject holds all it may. The verifier answers
 * 503 `auth.replay_capacity_exceeded` (never an allow: dropping a live id would reopen its token
 * to replay). Custom caches may throw it too.
 */
export class ReplayCapacityExceededError extends Error {
  constructor(readonly scope: 'tenant' | 'subject') {
    super(
      scope === 'tenant'
        ? 'The replay cache is full of live token ids of this tenant.'
        : "This subject holds its whole share of its tenant's replay cache.",
    );
    this.name = 'ReplayCapacityExceededError';
  }
}
