import { IamUpstreamUnavailableError } from '../errors/iam-errors.js';
import { describeUpstreamFailure } from '../errors/upstream-failure.js';
import type { ReplayCache, ReplayClaimContext } from './replay-cache.js';
import { ReplayCapacityExceededError } from './replay-capacity-error.js';
import { ReplayStateLostError } from './replay-state-lost-error.js';

/** Fixed text for clients and the audit event: which bound refused, never request data. */
const CAPACITY_MESSAGES = {
  tenant: 'The replay cache has no room for more tokens of this tenant now; try again later.',
  subject: 'The replay cache has no room for more tokens of this subject now; try again later.',
} as const;

/**
 * Records a key and answers whether this was its first use. Uses the cache's atomic `claim` when it
 * has one; otherwise `seen` then `remember`, which two concurrent requests can both pass (documented
 * for caches without `claim`). A cache that fails answers 503: a replay check that cannot run
 * never allows. A cache without room says which bound refused, so operators can tell a flood from
 * an outage; a cache that lost its records says so (503 `auth.replay_state_lost`) for a token it
 * cannot prove unused. `onRefused` hears of both refusals (for the `iam.replay.refusals` metric).
 */
export async function claimOnce(
  cache: ReplayCache,
  key: string,
  ttlMs: number,
  context?: ReplayClaimContext,
  onRefused?: (reason: 'tenant_full' | 'subject_share' | 'state_lost') => void,
): Promise<boolean> {
  try {
    if (cache.claim !== undefined) return (await cache.claim(key, ttlMs, context)) === true;
    if (await cache.seen(key)) return false;
    await cache.remember(key, ttlMs, context);
    return true;
  } catch (error) {
    throw replayFailure(error, onRefused);
  }
}

/**
 * `claimOnce` for a cache that answers in-process (`InMemoryReplayCache.claimSync`): the same
 * answers and the same 503s, without a promise.
 */
export function claimOnceSync(
  cache: { claimSync(key: string, ttlMs: number, context?: ReplayClaimContext): boolean },
  key: string,
  ttlMs: number,
  context: ReplayClaimContext,
  onRefused: (reason: 'tenant_full' | 'subject_share' | 'state_lost') => void,
): boolean {
  try {
    return cache.claimSync(key, ttlMs, context);
  } catch (error) {
    throw replayFailure(error, onRefused);
  }
}

/** The 503 for a replay check that could not run. */
function replayFailure(
  error: unknown,
  onRefused: ((reason: 'tenant_full' | 'subject_share' | 'state_lost') => void) | undefined,
): IamUpstreamUnavailableError {
  // A breaker or bulkhead in front of the cache already said why, with its own Retry-After.
  if (error instanceof IamUpstreamUnavailableError) return error;
  if (error instanceof ReplayCapacityExceededError) {
    onRefused?.(error.scope === 'tenant' ? 'tenant_full' : 'subject_share');
    return new IamUpstreamUnavailableError(CAPACITY_MESSAGES[error.scope], 1, {
      code: 'auth.replay_capacity_exceeded',
    });
  }
  if (error instanceof ReplayStateLostError) {
    onRefused?.('state_lost');
    // Retry-After 1: a new token (Oathkeeper mints one per request) passes at once.
    return new IamUpstreamUnavailableError(undefined, 1, {
      code: 'auth.replay_state_lost',
      reason: error.message,
    });
  }
  return new IamUpstreamUnavailableError('The replay cache is unavailable.', 1, {
    reason: `Replay cache: ${describeUpstreamFailure(error)}`,
  });
}
