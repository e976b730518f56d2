import { IamUpstreamUnavailableError } from '../errors/iam-errors.js';
import type { ReplayCache } from './replay-cache.js';

/**
 * Records a key and answers whether this was its first use. Uses the cache's atomic `claim` when it
 * has one; otherwise `seen` then `remember`, which two concurrent requests can both pass (documented
 * for caches without `claim`). A cache that fails answers 503: a replay check that cannot run
 * never allows.
 */
export async function claimOnce(cache: ReplayCache, key: string, ttlMs: number): Promise<boolean> {
  try {
    if (cache.claim !== undefined) return (await cache.claim(key, ttlMs)) === true;
    if (await cache.seen(key)) return false;
    await cache.remember(key, ttlMs);
    return true;
  } catch {
    throw new IamUpstreamUnavailableError('The replay cache is unavailable.', 1);
  }
}
