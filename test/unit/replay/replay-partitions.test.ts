/**
 * Issue 14, item 5: no caller can exhaust the in-memory replay cache for others. Each tenant has a
 * partition with its own bound, one subject holds at most a share of it, and a full partition
 * refuses in O(1): expiry work grows with the entries that expire, never with the claims refused.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimOnce } from '../../../src/replay/claim-once.js';
import {
  InMemoryReplayCache,
  type InMemoryReplayCacheOptions,
} from '../../../src/replay/in-memory-replay-cache.js';
import { ReplayCapacityExceededError } from '../../../src/replay/replay-capacity-error.js';
import { expectCode } from '../jwt/codes.js';

const T0 = 1_700_000_000_000;
const MINUTE = 60_000;
let clockMs: number;
const caches: InMemoryReplayCache[] = [];

function cache(options: InMemoryReplayCacheOptions): InMemoryReplayCache {
  const created = new InMemoryReplayCache(options, () => clockMs);
  caches.push(created);
  return created;
}

async function refusal(claim: Promise<boolean>): Promise<ReplayCapacityExceededError> {
  const error = await claim.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof ReplayCapacityExceededError)) throw new Error('expected a refusal');
  return error;
}

beforeEach(() => {
  clockMs = T0;
});
afterEach(() => {
  for (const created of caches.splice(0)) created.close();
});

describe('InMemoryReplayCache: a partition per tenant', () => {
  it('keeps accepting tenant b while tenant a is full', async () => {
    const replay = cache({ maxEntries: 10, maxSubjectSharePercent: 100 });
    for (let i = 0; i < 10; i += 1) {
      expect(await replay.claim(`a:${i}`, MINUTE, { tenant: 'a', subject: 'u' })).toBe(true);
    }
    const refused = await refusal(replay.claim('a:x', MINUTE, { tenant: 'a', subject: 'u' }));
    expect(refused.scope).toBe('tenant');
    for (let i = 0; i < 10; i += 1) {
      expect(await replay.claim(`b:${i}`, MINUTE, { tenant: 'b', subject: 'u' })).toBe(true);
    }
    expect(replay.size).toBe(20);
  });

  it('gives each named tenant its own bound, the others the default', async () => {
    const replay = cache({
      maxEntries: 2,
      maxSubjectSharePercent: 100,
      tenants: { big: { maxEntries: 5 } },
    });
    const fill = async (tenant: string) => {
      let accepted = 0;
      for (let i = 0; i < 10; i += 1) {
        const ok = await replay
          .claim(`${tenant}:${i}`, MINUTE, { tenant, subject: 'u' })
          .catch(() => false);
        if (ok) accepted += 1;
      }
      return accepted;
    };
    expect(await fill('big')).toBe(5);
    expect(await fill('small')).toBe(2);
  });

  it('answers 503 auth.replay_capacity_exceeded naming the tenant bound', async () => {
    const replay = cache({ maxEntries: 1 });
    await replay.claim('a:1', MINUTE, { tenant: 'a', subject: 'u' });
    const error = await expectCode(
      () => claimOnce(replay, 'a:2', MINUTE, { tenant: 'a', subject: 'v' }),
      'auth.replay_capacity_exceeded',
    );
    expect(error.getStatus()).toBe(503);
    expect(error.message).toContain('this tenant');
  });
});

describe('InMemoryReplayCache: options', () => {
  it('refuses bounds that would refuse every token or cap no one, listing each', () => {
    expect(
      () =>
        new InMemoryReplayCache({
          maxEntries: 0,
          maxSubjectSharePercent: Number.NaN,
          tenants: { acme: { maxEntries: 2 ** 31, maxSubjectSharePercent: 101 } },
        }),
    ).toThrow(
      'Invalid InMemoryReplayCache options: maxEntries must be a positive integer, got 0; ' +
        'maxSubjectSharePercent must be above 0 and at most 100, got NaN; ' +
        'tenants.acme.maxEntries must be at most 1073741824, got 2147483648; ' +
        'tenants.acme.maxSubjectSharePercent must be above 0 and at most 100, got 101.',
    );
  });
});

describe('InMemoryReplayCache: a share per subject', () => {
  it('refuses the subject that holds its share, and only that subject', async () => {
    const replay = cache({ maxEntries: 100, maxSubjectSharePercent: 10 });
    const mallory = { tenant: 't', subject: 'mallory' };
    for (let i = 0; i < 10; i += 1)
      expect(await replay.claim(`t:m${i}`, MINUTE, mallory)).toBe(true);
    expect((await refusal(replay.claim('t:m10', MINUTE, mallory))).scope).toBe('subject');
    const error = await expectCode(
      () => claimOnce(replay, 't:m11', MINUTE, mallory),
      'auth.replay_capacity_exceeded',
    );
    expect(error.message).toContain('this subject');
    for (let i = 0; i < 10; i += 1) {
      expect(await replay.claim(`t:a${i}`, MINUTE, { tenant: 't', subject: 'alice' })).toBe(true);
    }
    // The same subject name in another tenant is another subject.
    expect(await replay.claim('u:m0', MINUTE, { tenant: 'u', subject: 'mallory' })).toBe(true);
  });

  it('gives the subject room again as its jtis expire, and counts a refused claim for nothing', async () => {
    const replay = cache({ maxEntries: 10, maxSubjectSharePercent: 20 });
    const bob = { tenant: 't', subject: 'bob' };
    await replay.claim('t:1', MINUTE, bob);
    await replay.claim('t:2', MINUTE, bob);
    for (let i = 0; i < 5; i += 1) await refusal(replay.claim(`t:r${i}`, MINUTE, bob));
    expect(replay.size).toBe(2);
    clockMs += MINUTE + 1_000;
    expect(await replay.claim('t:3', MINUTE, bob)).toBe(true);
    expect(await replay.claim('t:4', MINUTE, bob)).toBe(true);
    expect(replay.size).toBe(2);
  });

  it('lets one subject hold at least one jti however small the share', async () => {
    const replay = cache({ maxEntries: 5, maxSubjectSharePercent: 1 });
    expect(await replay.claim('t:1', MINUTE, { tenant: 't', subject: 's' })).toBe(true);
    await refusal(replay.claim('t:2', MINUTE, { tenant: 't', subject: 's' }));
  });

  it('bounds claims without a context (callers other than the library) by the default bound only', async () => {
    const replay = cache({ maxEntries: 3, maxSubjectSharePercent: 10 });
    for (let i = 0; i < 3; i += 1) expect(await replay.claim(`x:${i}`, MINUTE)).toBe(true);
    expect((await refusal(replay.claim('x:3', MINUTE))).scope).toBe('tenant');
  });
});

describe('InMemoryReplayCache: refusing when full costs O(1)', () => {
  it('does no expiry work for refused claims, and looks at each expired entry once', async () => {
    const replay = cache({ maxEntries: 1_000, maxSubjectSharePercent: 100 });
    const context = { tenant: 't', subject: 'u' };
    for (let i = 0; i < 1_000; i += 1) await replay.claim(`t:${i}`, MINUTE, context);
    const before = replay.expiryWork;
    for (let i = 0; i < 10_000; i += 1) {
      clockMs += 1; // time passes, as under real load: still no entry has expired
      await refusal(replay.claim(`t:new${i}`, MINUTE, context));
    }
    expect(replay.expiryWork).toBe(before);
    clockMs = T0 + MINUTE + 1_000;
    expect(await replay.claim('t:after', MINUTE, context)).toBe(true);
    expect(replay.expiryWork - before).toBe(1_000);
    expect(replay.size).toBe(1);
    for (let i = 0; i < 999; i += 1) await replay.claim(`t:more${i}`, MINUTE, context);
    expect(replay.expiryWork - before).toBe(1_000);
  });

  it('after a long pause, looks at each entry once, not once per second missed', async () => {
    const replay = cache({});
    for (let i = 0; i < 100; i += 1) await replay.claim(`t:${i}`, 1_000 + i * 1_000);
    clockMs += 24 * 60 * MINUTE;
    await replay.claim('t:later', MINUTE);
    expect(replay.expiryWork).toBe(100);
    expect(replay.size).toBe(1);
  });
});
