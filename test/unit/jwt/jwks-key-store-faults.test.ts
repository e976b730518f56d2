/**
 * A JWKS store that cannot be emptied or poisoned: a set with no usable key never replaces the
 * keys in use; a failed refetch does not start the unknown-kid cooldown and is retried about once
 * a second; a kid missed while the JWKS is failing is 503, not 401; oversized and overlong sets are
 * refused; keys are served stale for at most maxStaleMs. Injected clock; faked timers; no sleeps.
 */
import { describe, expect, it, vi } from 'vitest';
import { JwksFetchError } from '../../../src/jwt/fetch-jwks.js';
import type { JwksKeyStore } from '../../../src/jwt/jwks-key-store.js';
import { TestSigner } from '../../../src/testing/test-signer.js';
import { expectCode } from './codes.js';
import {
  COOLDOWN_MS,
  FAILING_RETRY_MS,
  REFRESH_MS,
  settled,
  useKeyStoreHarness,
} from './key-store-harness.js';

const h = useKeyStoreHarness();

/** A token of the signer's current key, through the whole verifier. */
const verify = (store: JwksKeyStore, kid?: string) =>
  h
    .verifierFor(store)
    .verify(h.signer.mint(h.claims(), kid === undefined ? {} : { header: { kid } }));

async function failedRefresh(store: JwksKeyStore): Promise<string> {
  const failure = h.sink.next('jwks.refresh.failure');
  await expect(store.refresh()).rejects.toBeInstanceOf(JwksFetchError);
  return String((await failure).detail?.reason);
}

describe('JwksKeyStore: a set with no usable key never replaces the keys in use', () => {
  const encryptionOnly = () => ({ keys: h.signer.jwks().keys.map((k) => ({ ...k, use: 'enc' })) });
  const otherAlgorithmOnly = () => TestSigner.create({ alg: 'ES256', kid: 'ec' }).jwks();

  it.each([
    ['an empty set', () => ({ keys: [] })],
    ['a set of encryption keys only', encryptionOnly],
    ['a set of keys for algorithms not configured only', otherAlgorithmOnly],
  ])('keeps verifying after %s, fetched because of a random kid', async (_name, body) => {
    const store = await h.warmStore();
    h.server.setBody(body());
    h.clock.ms += COOLDOWN_MS;
    const failure = h.sink.next('jwks.refresh.failure');
    // The random kid's refetch brings the bad set; the kid may exist, so 503.
    await expectCode(() => verify(store, 'random-kid'), 'auth.upstream_unavailable');
    expect((await failure).detail).toMatchObject({ reason: 'no_usable_key' });
    expect(h.server.requests).toBe(2);

    // Valid tokens are still verified, synchronously, with the keys of the last good set.
    expect(store.resolve('k1', 'RS256')).not.toBeInstanceOf(Promise);
    await verify(store);
  });

  it('answers 503, not 401, on a cold start whose set has no usable key, until one appears', async () => {
    h.server.setBody({ keys: [] });
    const store = h.newStore();
    await expectCode(() => verify(store), 'auth.upstream_unavailable');
    h.server.setBody(h.signer.jwks());
    h.clock.ms += FAILING_RETRY_MS;
    await verify(store);
    expect(h.server.requests).toBe(2);
  });

  it('accepts a set that drops keys as long as one is usable: rotation revokes the old key', async () => {
    const store = await h.warmStore();
    const old = h.signer.currentKid;
    h.signer.addKey({ kid: 'k2' });
    h.signer.removeKey(old);
    h.server.setBody(h.signer.jwks());
    await store.refresh();
    // No grace period: a key removed from the JWKS is treated as revoked.
    await expectCode(() => verify(store, old), 'auth.failure.invalid_signature');
    await verify(store);
  });
});

describe('JwksKeyStore: a failed refetch', () => {
  it('answers 503 for a key rotated while the JWKS is down, and takes it once the JWKS is back', async () => {
    const store = await h.warmStore();
    h.server.setAvailable(false);
    h.signer.addKey({ kid: 'rotated' });
    h.server.setBody(h.signer.jwks());

    await expectCode(() => verify(store), 'auth.upstream_unavailable');
    expect(h.server.requests).toBe(2);

    // Back within a second, not a cooldown: the failed refetch did not start one.
    h.server.setAvailable(true);
    h.clock.ms += FAILING_RETRY_MS;
    await verify(store);
    expect(h.server.requests).toBe(3);
  });

  it('answers 503 for a kid within the retry interval too, without another fetch', async () => {
    const store = await h.warmStore();
    h.server.setAvailable(false);
    await failedRefresh(store);
    await expectCode(() => store.resolve('unknown', 'RS256'), 'auth.upstream_unavailable');
    expect(h.server.requests).toBe(2);
  });

  it('is retried at most about once a second by misses, whatever kids arrive', async () => {
    const store = await h.warmStore();
    h.server.setAvailable(false);
    const kids = Array.from({ length: 50 }, (_, index) => `random-${index}`);
    for (const kid of kids) {
      await expectCode(() => store.resolve(kid, 'RS256'), 'auth.upstream_unavailable');
    }
    expect(h.server.requests).toBe(2);
    h.clock.ms += FAILING_RETRY_MS - 1;
    await expectCode(() => store.resolve('random-x', 'RS256'), 'auth.upstream_unavailable');
    expect(h.server.requests).toBe(2);
    h.clock.ms += 1;
    await expectCode(() => store.resolve('random-y', 'RS256'), 'auth.upstream_unavailable');
    expect(h.server.requests).toBe(3);
  });

  it('lets concurrent misses share one failing fetch', async () => {
    const store = await h.warmStore();
    h.server.setAvailable(false);
    h.server.hold();
    const pending = Array.from({ length: 25 }, (_, index) =>
      store.resolve(`kid-${index}`, 'RS256'),
    );
    await h.server.waitForRequests(2);
    h.server.release();
    const outcomes = await Promise.allSettled(pending);
    expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);
    expect(h.server.requests).toBe(2);
  });

  it('does not start the cooldown: after recovery an unknown kid refetches at once', async () => {
    const store = await h.warmStore();
    h.server.setAvailable(false);
    h.clock.ms += COOLDOWN_MS;
    await expectCode(() => store.resolve('random', 'RS256'), 'auth.upstream_unavailable');
    h.server.setAvailable(true);
    await store.refresh();
    expect(h.server.requests).toBe(3);

    h.signer.addKey({ kid: 'rotated' });
    h.server.setBody(h.signer.jwks());
    expect(await store.resolve('rotated', 'RS256')).toBeDefined();
    expect(h.server.requests).toBe(4);
  });

  it('a successful refetch does start it: random kids cost no fetch for cooldownMs', async () => {
    const store = await h.warmStore();
    expect(await store.resolve('random-1', 'RS256')).toBeUndefined();
    expect(h.server.requests).toBe(2);
    h.clock.ms += COOLDOWN_MS - 1;
    expect(await store.resolve('random-2', 'RS256')).toBeUndefined();
    expect(h.server.requests).toBe(2);
  });
});

describe('JwksKeyStore: retries of a started store while the JWKS is failing', () => {
  it('refetches about once a second without waiting for a request, and stops once it loads', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    h.server.setAvailable(false);
    const store = h.newStore();
    const firstFailure = h.sink.next('jwks.refresh.failure');
    store.start();
    await firstFailure;
    await settled();

    const secondFailure = h.sink.next('jwks.refresh.failure');
    vi.advanceTimersByTime(FAILING_RETRY_MS);
    await secondFailure;
    await settled();
    expect(h.server.requests).toBe(2);

    h.server.setAvailable(true);
    const loaded = h.sink.next('jwks.refresh.success');
    vi.advanceTimersByTime(FAILING_RETRY_MS);
    await loaded;
    await settled();
    expect(h.server.requests).toBe(3);
    expect(store.resolve('k1', 'RS256')).not.toBeInstanceOf(Promise);

    // Healthy again: only the periodic refresh is left.
    vi.advanceTimersByTime(REFRESH_MS - 1);
    expect(h.server.requests).toBe(3);
    store.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('leaves no retry behind once closed', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    h.server.setAvailable(false);
    const store = h.newStore();
    const failure = h.sink.next('jwks.refresh.failure');
    store.start();
    await failure;
    store.close();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('JwksKeyStore: sets too large to trust', () => {
  it('refuses a set with more than maxKeys keys and keeps the keys in use', async () => {
    const store = await h.warmStore(h.jwksConfig(undefined, { maxKeys: 100 }));
    const filler = Array.from({ length: 20_000 }, (_, index) => ({ kty: 'RSA', kid: `f${index}` }));
    h.server.setBody({ keys: [...h.signer.jwks().keys, ...filler] });
    expect(await failedRefresh(store)).toBe('too_many_keys');
    await verify(store);
  });

  it('accepts exactly maxKeys keys', async () => {
    const filler = Array.from({ length: 99 }, (_, index) => ({ kty: 'RSA', kid: `f${index}` }));
    h.server.setBody({ keys: [...h.signer.jwks().keys, ...filler] });
    await h.warmStore(h.jwksConfig(undefined, { maxKeys: 100 }));
  });

  it('refuses a body over maxBytes and keeps the keys in use', async () => {
    const store = await h.warmStore(h.jwksConfig(undefined, { maxBytes: 4_096 }));
    const padding = 'x'.repeat(4_096);
    h.server.setBody({ keys: h.signer.jwks().keys, padding });
    expect(await failedRefresh(store)).toBe('too_large');
    await verify(store);
  });
});

describe('JwksKeyStore: maxStaleMs', () => {
  const MAX_STALE_MS = 2 * REFRESH_MS;
  const staleConfig = () => h.jwksConfig(undefined, { maxStaleMs: MAX_STALE_MS });

  it('serves the last good keys for maxStaleMs after the last success, then answers 503', async () => {
    const store = await h.warmStore(staleConfig());
    h.server.setAvailable(false);
    h.clock.ms += MAX_STALE_MS;
    expect(store.resolve('k1', 'RS256')).not.toBeInstanceOf(Promise);

    h.clock.ms += 1;
    await expectCode(() => store.resolve('k1', 'RS256'), 'auth.upstream_unavailable');
    expect(h.server.requests).toBe(2);
  });

  it('serves again once a fetch succeeds', async () => {
    const store = await h.warmStore(staleConfig());
    h.server.setAvailable(false);
    h.clock.ms += MAX_STALE_MS + 1;
    await expectCode(() => store.resolve('k1', 'RS256'), 'auth.upstream_unavailable');
    h.server.setAvailable(true);
    h.clock.ms += FAILING_RETRY_MS;
    expect(await store.resolve('k1', 'RS256')).toBeDefined();
    expect(store.resolve('k1', 'RS256')).not.toBeInstanceOf(Promise);
  });
});

describe('JwksKeyStore: status()', () => {
  it('reports the key count, the age of the last success, failing and stale', async () => {
    h.server.setAvailable(false);
    const store = h.newStore(h.jwksConfig(undefined, { maxStaleMs: 2 * REFRESH_MS }));
    expect(store.status()).toEqual({
      keys: 0,
      lastRefreshAgeMs: null,
      failing: false,
      stale: false,
    });
    await failedRefresh(store);
    expect(store.status()).toMatchObject({ lastRefreshAgeMs: null, failing: true });

    h.server.setAvailable(true);
    await store.refresh();
    h.clock.ms += 1_500;
    expect(store.status()).toEqual({
      keys: 1,
      lastRefreshAgeMs: 1_500,
      failing: false,
      stale: false,
    });

    h.server.setAvailable(false);
    await failedRefresh(store);
    h.clock.ms += 2 * REFRESH_MS;
    expect(store.status()).toEqual({
      keys: 1,
      lastRefreshAgeMs: 2 * REFRESH_MS + 1_500,
      failing: true,
      stale: true,
    });
  });
});
