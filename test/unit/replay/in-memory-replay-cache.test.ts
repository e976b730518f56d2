/**
 * The default replay cache: bounded, expiring, atomic `claim`, and (through the verifier) a jti
 * remembered for as long as its token could still be accepted. Time is an injected clock; the
 * sweep timer is faked.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { JwksKeyStore } from '../../../src/jwt/jwks-key-store.js';
import { OathkeeperJwtVerifier } from '../../../src/jwt/oathkeeper-jwt-verifier.js';
import { claimOnce } from '../../../src/replay/claim-once.js';
import { InMemoryReplayCache } from '../../../src/replay/in-memory-replay-cache.js';
import { type TestJwksServer, TestSigner } from '../../../src/testing/test-signer.js';
import { expectCode } from '../jwt/codes.js';
import { AUDIENCE, jwtTenant, RecordingSink } from '../jwt/verifier-fixtures.js';

const T0 = 1_700_000_000_000;
let clockMs: number;
const caches: InMemoryReplayCache[] = [];

function cache(maxEntries?: number, sweepIntervalMs?: number): InMemoryReplayCache {
  const created = new InMemoryReplayCache({ maxEntries, sweepIntervalMs }, () => clockMs);
  caches.push(created);
  return created;
}

beforeEach(() => {
  clockMs = T0;
});
afterEach(() => {
  for (const created of caches.splice(0)) created.close();
  vi.useRealTimers();
});

describe('InMemoryReplayCache: claim, seen, remember', () => {
  it('answers true for the first claim of a jti only', async () => {
    const replay = cache();
    expect(await replay.claim('t:a', 1_000)).toBe(true);
    expect(await replay.claim('t:a', 1_000)).toBe(false);
    expect(await replay.claim('t:b', 1_000)).toBe(true);
    expect(await replay.seen('t:a')).toBe(true);
    expect(await replay.seen('t:c')).toBe(false);
  });

  it('is atomic: of 200 concurrent claims of one jti exactly one wins', async () => {
    const replay = cache();
    const results = await Promise.all(
      Array.from({ length: 200 }, () => replay.claim('t:j', 1_000)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const viaClaimOnce = await Promise.all(
      Array.from({ length: 200 }, () => claimOnce(replay, 't:k', 1_000)),
    );
    expect(viaClaimOnce.filter(Boolean)).toHaveLength(1);
  });

  it('remember makes seen true until the ttl ends', async () => {
    const replay = cache();
    await replay.remember('t:r', 500);
    expect(await replay.seen('t:r')).toBe(true);
    clockMs += 500;
    expect(await replay.seen('t:r')).toBe(false);
  });
});

describe('InMemoryReplayCache: expiry', () => {
  it('refuses a jti until exactly its ttl has passed, then accepts it again', async () => {
    const replay = cache();
    await replay.claim('t:a', 1_000);
    clockMs += 999;
    expect(await replay.claim('t:a', 1_000)).toBe(false);
    clockMs += 1;
    expect(await replay.claim('t:a', 1_000)).toBe(true);
  });

  it('keeps the ttl of the first claim: a refused claim does not extend or shorten it', async () => {
    const replay = cache();
    await replay.claim('t:a', 1_000);
    clockMs += 900;
    expect(await replay.claim('t:a', 10)).toBe(false);
    clockMs += 99;
    expect(await replay.claim('t:a', 10)).toBe(false);
    clockMs += 1;
    expect(await replay.claim('t:a', 10)).toBe(true);
  });

  it('sweeps expired entries on a timer even when nothing new arrives; close() stops it', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const replay = cache(undefined, 10_000);
    for (let i = 0; i < 5; i += 1) await replay.claim(`t:${i}`, 1_000);
    await replay.claim('t:live', 60_000);
    expect(replay.size).toBe(6);
    clockMs += 10_000;
    vi.advanceTimersByTime(10_000);
    expect(replay.size).toBe(1);
    expect(await replay.seen('t:live')).toBe(true);
    replay.close();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('InMemoryReplayCache: bounded', () => {
  it('never holds more than maxEntries, however many jtis arrive over time', async () => {
    const replay = cache(100);
    let largest = 0;
    for (let i = 0; i < 10_000; i += 1) {
      expect(await replay.claim(`t:${i}`, 1_000)).toBe(true);
      largest = Math.max(largest, replay.size);
      clockMs += 25;
    }
    expect(largest).toBeLessThanOrEqual(100);
  });

  it('releases expired entries once their second has passed, to make room', async () => {
    const replay = cache(3);
    await replay.claim('t:old', 1_000);
    clockMs += 500;
    await replay.claim('t:b', 5_000);
    await replay.claim('t:c', 5_000);
    clockMs += 1_500; // t:old expired at T0 + 1 s, and that second is over; t:b and t:c are live.
    expect(await replay.claim('t:d', 1_000)).toBe(true);
    expect(replay.size).toBe(3);
    expect(await replay.claim('t:b', 1_000)).toBe(false);
    expect(await replay.claim('t:c', 1_000)).toBe(false);
  });

  it('finds an expired entry behind live ones when entries were not inserted in expiry order', async () => {
    const replay = cache(3);
    await replay.claim('t:long', 60_000);
    await replay.claim('t:short', 100);
    await replay.claim('t:mid', 10_000);
    clockMs += 1_000;
    expect(await replay.claim('t:new', 1_000)).toBe(true);
    expect(replay.size).toBe(3);
    expect(await replay.claim('t:long', 1_000)).toBe(false);
  });

  it('never evicts a live jti (that would reopen its token to replay): it refuses the new one with 503', async () => {
    const replay = cache(3);
    for (const jti of ['t:a', 't:b', 't:c']) await replay.claim(jti, 60_000);
    await expect(replay.claim('t:d', 60_000)).rejects.toThrow(/full/);
    await expectCode(() => claimOnce(replay, 't:d', 60_000), 'auth.replay_capacity_exceeded');
    expect(replay.size).toBe(3);
    for (const jti of ['t:a', 't:b', 't:c']) expect(await replay.claim(jti, 60_000)).toBe(false);
    clockMs += 61_000;
    expect(await replay.claim('t:d', 60_000)).toBe(true);
  });
});

describe('InMemoryReplayCache behind the verifier', () => {
  const SKEW_S = 30;
  let signer: TestSigner;
  let jwks: TestJwksServer;
  let keys: JwksKeyStore;

  beforeAll(async () => {
    signer = TestSigner.create();
    jwks = await signer.serve();
    const config = jwtTenant(jwks.url).oathkeeper?.jwks;
    if (config === undefined) throw new Error('no jwks config');
    keys = new JwksKeyStore(config, 'default', new RecordingSink().emitter());
    await keys.refresh();
  });
  afterAll(async () => {
    keys.close();
    await jwks.close();
  });

  function verifier(replay: InMemoryReplayCache, ttlMs: number): OathkeeperJwtVerifier {
    const tenant = jwtTenant(jwks.url, { replayProtection: { enabled: true, ttlMs } });
    const oathkeeper = tenant.oathkeeper;
    if (oathkeeper === undefined) throw new Error('no oathkeeper config');
    return new OathkeeperJwtVerifier(tenant, oathkeeper, keys, replay, () => clockMs);
  }

  const mint = (exp: number) => {
    const now = Math.floor(clockMs / 1_000);
    return signer.mint({ aud: AUDIENCE, tenant: 'default', iat: now, nbf: now, exp });
  };

  it('remembers a jti until exp plus the skew even when ttlMs is shorter: no window to replay', async () => {
    const replay = cache();
    const start = Math.floor(clockMs / 1_000);
    clockMs = start * 1_000;
    const token = mint(start + 60);
    const verify = verifier(replay, 1_000);
    await verify.verify(token);
    for (const later of [1, 2, 60, 60 + SKEW_S - 1]) {
      clockMs = (start + later) * 1_000;
      await expectCode(() => verify.verify(token), 'auth.failure.replay');
    }
    clockMs = (start + 60 + SKEW_S) * 1_000 - 1;
    await expectCode(() => verify.verify(token), 'auth.failure.replay');
    clockMs += 1;
    await expectCode(() => verify.verify(token), 'auth.failure.expired');
  });

  it('lets exactly one of 50 concurrent uses of one token through', async () => {
    const replay = cache();
    const verify = verifier(replay, 120_000);
    const token = mint(Math.floor(clockMs / 1_000) + 60);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 50 }, () => verify.verify(token)),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const codes = outcomes.flatMap((outcome) =>
      outcome.status === 'rejected' ? [(outcome.reason as { code?: string }).code] : [],
    );
    expect(new Set(codes)).toEqual(new Set(['auth.failure.replay']));
  });
});
