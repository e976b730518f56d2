import type { AttemptFailure, UpstreamGuard } from '../resilience/upstream-guard.js';
import type { ReplayCache } from './replay-cache.js';
import { ReplayCapacityExceededError } from './replay-capacity-error.js';
import { ReplayStateLostError } from './replay-state-lost-error.js';

/** A full cache or one that lost its records answered: Redis is up, the breaker must not open. */
function classify(error: unknown): AttemptFailure {
  return error instanceof ReplayCapacityExceededError || error instanceof ReplayStateLostError
    ? 'answer'
    : 'outage';
}

/**
 * A replay cache whose every call goes through a tenant's Redis breaker and bulkhead: while Redis
 * is failing, replay checks answer 503 `upstream.circuit_open` at once instead of each waiting for
 * its own timeout, and never allow.
 */
export function guardReplayCache(cache: ReplayCache, guard: UpstreamGuard): ReplayCache {
  const { claim } = cache;
  return {
    seen: (jti) => guard.run(() => cache.seen(jti), classify),
    remember: (jti, ttlMs, context) =>
      guard.run(() => cache.remember(jti, ttlMs, context), classify),
    ...(claim !== undefined && {
      claim: (jti, ttlMs, context) =>
        guard.run(() => claim.call(cache, jti, ttlMs, context), classify),
    }),
  };
}
