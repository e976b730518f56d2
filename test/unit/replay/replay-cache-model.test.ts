/**
 * The in-memory replay cache against the simplest correct model (a Map from key to expiry) over
 * many random claims: the fingerprint table's growth, chained deletes and the expiry wheel must
 * never change an answer. A jti is refused exactly while its first claim's ttl runs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryReplayCache } from '../../../src/replay/in-memory-replay-cache.js';

let clockMs = 1_700_000_000_000;
const caches: InMemoryReplayCache[] = [];
afterEach(() => {
  for (const created of caches.splice(0)) created.close();
});

/** Deterministic, so a failure reproduces. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) | 0;
    return (state >>> 8) / 2 ** 24;
  };
}

describe('InMemoryReplayCache agrees with a Map of expiries', () => {
  it.each([1, 2])('over 40,000 random claims (seed %i)', async (seed) => {
    const next = random(seed);
    const replay = new InMemoryReplayCache({}, () => clockMs);
    caches.push(replay);
    const model = new Map<string, number>();
    const disagreements: string[] = [];
    for (let step = 0; step < 40_000; step += 1) {
      clockMs += Math.floor(next() * 20);
      const key = `t:${Math.floor(next() * 5_000)}`;
      const ttlMs = 1 + Math.floor(next() * (next() < 0.05 ? 1_500_000 : 5_000));
      const live = (model.get(key) ?? 0) > clockMs;
      if (!live) model.set(key, clockMs + ttlMs);
      const context = { tenant: next() < 0.5 ? 'a' : 'b', subject: `s${step % 7}` };
      if ((await replay.claim(key, ttlMs, context)) === live) disagreements.push(`claim ${step}`);
      if (step % 997 === 0 && !(await replay.seen(key))) disagreements.push(`seen ${step}`);
    }
    expect(disagreements).toEqual([]);
    let liveInModel = 0;
    for (const expiresAt of model.values()) if (expiresAt > clockMs) liveInModel += 1;
    expect(replay.size).toBeGreaterThanOrEqual(liveInModel);
  });
});
