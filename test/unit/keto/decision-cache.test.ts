import { describe, expect, it } from 'vitest';
import type { PermissionTuple } from '../../../src/index.js';
import { DecisionCache, decisionKey } from '../../../src/ory/keto/decision-cache.js';

const tuple = (object: string, subject: PermissionTuple['subject'] = 'alice'): PermissionTuple => ({
  namespace: 'docs',
  object,
  relation: 'view',
  subject,
});

function cacheWithClock(options: { ttlMs?: number; maxEntries?: number } = {}) {
  let now = 1_000;
  const cache = new DecisionCache({
    ttlMs: options.ttlMs ?? 100,
    maxEntries: options.maxEntries ?? 10,
    now: () => now,
  });
  return { cache, advance: (ms: number) => (now += ms) };
}

describe('DecisionCache', () => {
  it('keeps allows and denies for the TTL, then forgets them', () => {
    const { cache, advance } = cacheWithClock();
    cache.set(tuple('a'), true, cache.generation);
    cache.set(tuple('b'), false, cache.generation);
    expect([cache.get(tuple('a')), cache.get(tuple('b')), cache.get(tuple('c'))]).toEqual([
      true,
      false,
      undefined,
    ]);
    advance(99);
    expect(cache.get(tuple('a'))).toBe(true);
    advance(1);
    expect(cache.get(tuple('a'))).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  it('drops the oldest answer when full', () => {
    const { cache } = cacheWithClock({ maxEntries: 2 });
    for (const object of ['a', 'b', 'c']) cache.set(tuple(object), true, cache.generation);
    expect(cache.size).toBe(2);
    expect(cache.get(tuple('a'))).toBeUndefined();
    expect(cache.get(tuple('c'))).toBe(true);
  });

  it('does not store an answer fetched before a clear (a check racing a revoke)', () => {
    const { cache } = cacheWithClock();
    cache.set(tuple('a'), true, cache.generation);
    const before = cache.generation;
    cache.clear();
    expect(cache.get(tuple('a'))).toBeUndefined();
    cache.set(tuple('a'), true, before);
    expect(cache.get(tuple('a'))).toBeUndefined();
    cache.set(tuple('a'), false, cache.generation);
    expect(cache.get(tuple('a'))).toBe(false);
  });

  it('keys tuples so that separators inside parts cannot make two tuples collide', () => {
    const tricky: PermissionTuple[] = [
      { namespace: 'docs', object: 'a#view@bob', relation: 'view', subject: 'alice' },
      { namespace: 'docs', object: 'a', relation: 'view@bob#view', subject: 'alice' },
      tuple('a', 'groups:x#member'),
      tuple('a', { namespace: 'groups', object: 'x', relation: 'member' }),
    ];
    expect(new Set(tricky.map(decisionKey)).size).toBe(tricky.length);
    const { cache } = cacheWithClock();
    cache.set(tricky[2] as PermissionTuple, true, cache.generation);
    expect(cache.get(tricky[3] as PermissionTuple)).toBeUndefined();
  });
});
