import { describe, expect, it } from 'vitest';
import { claimOnce } from '../../../src/replay/claim-once.js';
import { InMemoryReplayCache } from '../../../src/replay/in-memory-replay-cache.js';
import type { ReplayCache } from '../../../src/replay/replay-cache.js';
import { ReplayStateLostError } from '../../../src/replay/replay-state-lost-error.js';
import { expectCode } from '../jwt/codes.js';

/** What `claimOnce` reports to its `onRefused` listener (the `iam.replay.refusals` metric). */
function listener() {
  const heard: string[] = [];
  return { heard, onRefused: (reason: string) => heard.push(reason) };
}

describe('claimOnce: refusals reported for iam.replay.refusals', () => {
  it('reports which bound of the in-memory cache refused, and nothing for claims or replays', async () => {
    const cache = new InMemoryReplayCache({ maxEntries: 4, maxSubjectSharePercent: 50 });
    const { heard, onRefused } = listener();
    const claim = (key: string, subject: string) =>
      claimOnce(cache, key, 60_000, { tenant: 't', subject }, onRefused);
    expect(await claim('a1', 'a')).toBe(true);
    expect(await claim('a1', 'a')).toBe(false);
    expect(await claim('a2', 'a')).toBe(true);
    await expectCode(() => claim('a3', 'a'), 'auth.replay_capacity_exceeded');
    expect(await claim('b1', 'b')).toBe(true);
    expect(await claim('b2', 'b')).toBe(true);
    await expectCode(() => claim('c1', 'c'), 'auth.replay_capacity_exceeded');
    expect(heard).toEqual(['subject_share', 'tenant_full']);
    expect([...cache.tenantSizes()]).toEqual([{ tenant: 't', entries: 4 }]);
    cache.close();
  });

  it('reports a custom cache that lost its records as state_lost', async () => {
    const lost: ReplayCache = {
      claim: async () => {
        throw new ReplayStateLostError(0);
      },
      seen: async () => false,
      remember: async () => undefined,
    };
    const { heard, onRefused } = listener();
    await expectCode(
      () => claimOnce(lost, 'k', 1_000, undefined, onRefused),
      'auth.replay_state_lost',
    );
    expect(heard).toEqual(['state_lost']);
  });
});

describe('claimOnce: a cache that failed', () => {
  it('answers 503 auth.upstream_unavailable with why in the reason, never the error message', async () => {
    const failing: ReplayCache = {
      claim: async () => {
        throw Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:6379 as user alice'), {
          code: 'ECONNREFUSED',
          address: '10.0.0.7',
          port: 6379,
        });
      },
      seen: async () => false,
      remember: async () => undefined,
    };
    const refusal = await claimOnce(failing, 'k', 1_000).catch((error: unknown) => error);
    expect(refusal).toMatchObject({
      code: 'auth.upstream_unavailable',
      retryAfterSeconds: 1,
      reason: 'Replay cache: ECONNREFUSED 10.0.0.7:6379',
    });
    expect((refusal as Error).message).toBe('The replay cache is unavailable.');
  });
});
