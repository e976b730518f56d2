import type { AttemptFailure, UpstreamGuard } from '../resilience/upstream-guard.js';
import type { SessionCacheStore } from './session-cache-store.js';

/** Every failure of the store is Redis's: it has no answer that is not a success. */
const classify = (): AttemptFailure => 'outage';

/**
 * A session cache store whose every call goes through a tenant's Redis breaker and bulkhead:
 * while Redis is failing, the cache fails at once and Kratos is asked, instead of every request
 * first waiting for the store's timeout.
 */
export function guardSessionStore(
  store: SessionCacheStore,
  guard: UpstreamGuard,
): SessionCacheStore {
  return {
    get: (key) => guard.run(() => store.get(key), classify),
    set: (key, value, ttlMs, tags, generation) =>
      guard.run(() => store.set(key, value, ttlMs, tags, generation), classify),
    deleteTagged: (tag) => guard.run(() => store.deleteTagged(tag), classify),
    generation: () => guard.run(() => store.generation(), classify),
  };
}
