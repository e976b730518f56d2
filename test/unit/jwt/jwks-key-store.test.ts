/**
 * The per-tenant JWKS key store against a JWKS server on loopback that counts requests and can hold
 * answers: built once, periodic refresh, unknown-kid refetch under cooldownMs, one shared fetch for
 * concurrent misses, stale-if-down, 503 on a cold start with the endpoint down, unusable keys
 * skipped. The faults (emptied, poisoned, oversized sets; failing refetches; staleness) are in
 * jwks-key-store-faults.test.ts. Time is an injected clock; the refresh timer is faked; nothing sleeps.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { IamUpstreamUnavailableError } from '../../../src/errors/iam-errors.js';
import { HttpIamRequest } from '../../../src/request/http-request.js';
import { TestSigner } from '../../../src/testing/test-signer.js';
import { createOathkeeperTransport } from '../../../src/transport/oathkeeper-transport.js';
import { expectCode } from './codes.js';
import { startJwksServer } from './jwks-server.js';
import {
  COOLDOWN_MS,
  FAILING_RETRY_MS,
  REFRESH_MS,
  settled,
  useKeyStoreHarness,
} from './key-store-harness.js';
import { jwtTenant, SpyReplayCache } from './verifier-fixtures.js';

const h = useKeyStoreHarness();
const { jwksConfig, newStore, warmStore, verifierFor, claims } = h;

describe('JwksKeyStore: built once per tenant', () => {
  it('fetches each tenant’s JWKS once for any number of requests', async () => {
    const otherSigner = TestSigner.create({ kid: 'acme-key' });
    const otherServer = await startJwksServer(otherSigner.jwks());
    try {
      const deps = {
        replayCache: new SpyReplayCache(),
        audit: h.sink.emitter(),
        now: () => h.clock.ms,
      };
      const transports = {
        default: createOathkeeperTransport(jwtTenant(h.server.url), deps),
        acme: createOathkeeperTransport(jwtTenant(otherServer.url, {}, 'acme'), deps),
      };
      const loaded = Promise.all([
        h.sink.next('jwks.refresh.success'),
        h.sink.next('jwks.refresh.success'),
      ]);
      transports.default.start?.();
      transports.acme.start?.();
      await loaded;
      for (let i = 0; i < 50; i += 1) {
        const ids = await Promise.all([
          transports.default.authenticate(
            new HttpIamRequest({ headers: { 'x-user': h.signer.mint(claims()) } }),
          ),
          transports.acme.authenticate(
            new HttpIamRequest({
              headers: { 'x-user': otherSigner.mint({ ...claims(), tenant: 'acme' }) },
            }),
          ),
        ]);
        expect(ids.map((id) => id?.tenant)).toEqual(['default', 'acme']);
      }
      expect([h.server.requests, otherServer.requests]).toEqual([1, 1]);
      for (const transport of Object.values(transports)) await transport.close?.();
    } finally {
      await otherServer.close();
    }
  });
});

describe('JwksKeyStore: periodic refresh', () => {
  it('refetches every refreshIntervalMs and picks up new keys; close() stops the timer', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const store = newStore();
    const first = h.sink.next('jwks.refresh.success');
    store.start();
    await first;
    await settled();
    expect(h.server.requests).toBe(1);

    h.signer.addKey({ kid: 'k2' });
    h.server.setBody(h.signer.jwks());
    const second = h.sink.next('jwks.refresh.success');
    vi.advanceTimersByTime(REFRESH_MS);
    expect((await second).detail).toMatchObject({ keys: 2, skipped: 0 });
    await settled();
    expect(h.server.requests).toBe(2);
    // A hit is synchronous: the hot path awaits nothing.
    const hit = store.resolve('k2', 'RS256');
    expect(hit).toBeDefined();
    expect(hit).not.toBeInstanceOf(Promise);

    const third = h.sink.next('jwks.refresh.success');
    vi.advanceTimersByTime(REFRESH_MS);
    await third;
    await settled();
    expect(h.server.requests).toBe(3);

    store.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('drops a key the JWKS no longer lists at the next refresh', async () => {
    const store = await warmStore();
    const old = h.signer.currentKid;
    h.signer.addKey({ kid: 'k2' });
    h.signer.removeKey(old);
    h.server.setBody(h.signer.jwks());
    await store.refresh();
    h.clock.ms += COOLDOWN_MS;
    expect(await store.resolve(old, 'RS256')).toBeUndefined();
    expect(store.resolve('k2', 'RS256')).toBeDefined();
  });
});

describe('JwksKeyStore: unknown kid', () => {
  it('refetches once, then not again until cooldownMs has passed', async () => {
    const store = await warmStore();
    expect(await store.resolve('unknown-1', 'RS256')).toBeUndefined();
    expect(h.server.requests).toBe(2);

    // Within the cooldown an unknown kid costs no fetch, even once the key exists.
    h.signer.addKey({ kid: 'rotated' });
    h.server.setBody(h.signer.jwks());
    expect(await store.resolve('rotated', 'RS256')).toBeUndefined();
    h.clock.ms += COOLDOWN_MS - 1;
    expect(await store.resolve('unknown-2', 'RS256')).toBeUndefined();
    expect(h.server.requests).toBe(2);

    h.clock.ms += 1;
    expect(await store.resolve('rotated', 'RS256')).toBeDefined();
    expect(h.server.requests).toBe(3);
    // The new key is now a synchronous hit.
    expect(store.resolve('rotated', 'RS256')).not.toBeInstanceOf(Promise);
  });

  it('answers invalid_signature (not 503) for an unknown kid once keys were loaded', async () => {
    const store = await warmStore();
    await expectCode(
      () => verifierFor(store).verify(h.signer.mint(claims(), { header: { kid: 'nope' } })),
      'auth.failure.invalid_signature',
    );
  });

  it('lets concurrent misses share one fetch', async () => {
    const store = await warmStore();
    h.signer.addKey({ kid: 'rotated' });
    h.server.setBody(h.signer.jwks());
    h.server.hold();
    const pending = Array.from({ length: 25 }, () => store.resolve('rotated', 'RS256'));
    await h.server.waitForRequests(2);
    h.server.release();
    const keys = await Promise.all(pending);
    expect(keys.every((key) => key !== undefined)).toBe(true);
    expect(h.server.requests).toBe(2);
  });

  it('lets concurrent first requests on a cold store share one fetch', async () => {
    const store = newStore();
    h.server.hold();
    const verifier = verifierFor(store);
    const pending = Array.from({ length: 25 }, () => verifier.verify(h.signer.mint(claims())));
    await h.server.waitForRequests(1);
    h.server.release();
    const verified = await Promise.all(pending);
    expect(verified).toHaveLength(25);
    expect(h.server.requests).toBe(1);
  });

  it('shares a periodic refresh already in flight instead of starting another fetch', async () => {
    const store = await warmStore();
    h.signer.addKey({ kid: 'rotated' });
    h.server.setBody(h.signer.jwks());
    h.server.hold();
    const refreshing = store.refresh();
    const miss = store.resolve('rotated', 'RS256');
    await h.server.waitForRequests(2);
    h.server.release();
    await refreshing;
    expect(await miss).toBeDefined();
    expect(h.server.requests).toBe(2);
  });

  it('refetches for a miss whose shared periodic refresh began before the key was published', async () => {
    const store = await warmStore();
    h.server.hold();
    const refreshing = store.refresh();
    await h.server.waitForRequests(2);
    const miss = store.resolve('rotated', 'RS256');
    // The held refresh is answered with the set as it was when it was asked for: no 'rotated'.
    h.server.release();
    h.signer.addKey({ kid: 'rotated' });
    h.server.setBody(h.signer.jwks());
    await refreshing;
    expect(await miss).toBeDefined();
    expect(h.server.requests).toBe(3);

    // That refetch was the miss's own: it started the cooldown.
    expect(await store.resolve('unknown', 'RS256')).toBeUndefined();
    expect(h.server.requests).toBe(3);
  });
});

describe('JwksKeyStore: the endpoint is down', () => {
  it('keeps serving the cached keys and audits the failed refresh', async () => {
    const store = await warmStore();
    h.server.setAvailable(false);
    const failure = h.sink.next('jwks.refresh.failure');
    await expect(store.refresh()).rejects.toThrow();
    expect((await failure).detail).toMatchObject({ url: h.server.url, reason: 'status' });

    expect(store.resolve('k1', 'RS256')).toBeDefined();
    const { typed } = await verifierFor(store).verify(h.signer.mint({ ...claims(), sub: 'alice' }));
    expect(typed.sub).toBe('alice');
    // An unknown kid still gets a refetch; it fails, so the kid may exist: 503, not 401.
    h.clock.ms += FAILING_RETRY_MS;
    await expectCode(
      () => verifierFor(store).verify(h.signer.mint(claims(), { header: { kid: 'nope' } })),
      'auth.upstream_unavailable',
    );
    expect(h.server.requests).toBe(3);
    expect(store.resolve('k1', 'RS256')).toBeDefined();
  });

  it('keeps the cached keys when the endpoint answers something that is not a JWKS', async () => {
    const store = await warmStore();
    h.server.setBody({ keys: 'nope' });
    await expect(store.refresh()).rejects.toThrow();
    h.server.setBody('<html>maintenance</html>');
    await expect(store.refresh()).rejects.toThrow();
    expect(store.resolve('k1', 'RS256')).toBeDefined();
  });

  it('answers 503 auth.upstream_unavailable on a cold start, and recovers once it is back', async () => {
    h.server.setAvailable(false);
    const store = newStore();
    const error = await expectCode(
      () => verifierFor(store).verify(h.signer.mint(claims())),
      'auth.upstream_unavailable',
    );
    expect(error).toBeInstanceOf(IamUpstreamUnavailableError);
    expect(error.getStatus()).toBe(503);
    expect(h.server.requests).toBe(1);

    // While nothing was ever loaded, a failed fetch is retried at most once per FAILING_RETRY_MS.
    await expectCode(() => store.resolve('k1', 'RS256'), 'auth.upstream_unavailable');
    expect(h.server.requests).toBe(1);

    h.server.setAvailable(true);
    h.clock.ms += FAILING_RETRY_MS;
    await verifierFor(store).verify(h.signer.mint(claims()));
    expect(h.server.requests).toBe(2);
  });

  it('answers 503 when the first fetch at start() failed', async () => {
    h.server.setAvailable(false);
    const store = newStore();
    const failure = h.sink.next('jwks.refresh.failure');
    store.start();
    await failure;
    await expectCode(() => store.resolve('k1', 'RS256'), 'auth.upstream_unavailable');
  });
});

/**
 * An RSA private key imported from its generating job's DER: exporting the job's own KeyObjects
 * can deadlock Node 20 (see generate() in src/testing/test-signer.ts).
 */
function rsaPrivateKey(modulusLength: number): KeyObject {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength,
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'der' },
  });
  return createPrivateKey({ key: privateKey, type: 'pkcs8', format: 'der' });
}

describe('JwksKeyStore: keys it must not use', () => {
  it('skips unsupported, weak, private and encryption keys, and keeps the rest of the set', async () => {
    const ec = TestSigner.create({ alg: 'ES256', kid: 'ec' });
    // Good key material, made unusable by its JWK fields: one key pair serves every variant.
    const privateKey = rsaPrivateKey(2048);
    const rsa = createPublicKey(privateKey).export({ format: 'jwk' });
    const weak = createPublicKey(rsaPrivateKey(1024)).export({ format: 'jwk' });
    const body = {
      keys: [
        { kty: 'oct', k: randomBytes(32).toString('base64url'), kid: 'symmetric', alg: 'HS256' },
        { kty: 'XYZ', kid: 'unknown-kty' },
        { ...rsa, kid: 'rs1', alg: 'RS1' },
        { ...rsa, kid: 'ps256-only', alg: 'PS256' },
        { ...weak, kid: 'weak' },
        { ...rsa, kid: 'encryption', use: 'enc' },
        { ...rsa, kid: 'no-verify', key_ops: ['encrypt'] },
        { ...privateKey.export({ format: 'jwk' }), kid: 'private' },
        { kty: 'RSA', kid: 'broken', e: 'AQAB' },
        ...ec.jwks().keys,
        ...h.signer.jwks().keys,
      ],
    };
    h.server.setBody(body);
    const store = newStore();
    const loaded = h.sink.next('jwks.refresh.success');
    await store.refresh();
    expect((await loaded).detail).toMatchObject({ keys: 1, skipped: body.keys.length - 1 });

    for (const kid of body.keys.map((key) => String(key.kid)).filter((kid) => kid !== 'k1')) {
      expect(await store.resolve(kid, 'RS256'), kid).toBeUndefined();
    }
    await verifierFor(store).verify(h.signer.mint(claims()));
  });

  it('does not let a key pinned to one algorithm verify another', async () => {
    h.server.setBody({ keys: [{ ...h.signer.jwks().keys[0], alg: 'RS256' }] });
    const both = jwksConfig(h.server.url, { algorithms: ['RS256', 'PS256'] });
    const store = newStore(both);
    await store.refresh();
    expect(store.resolve('k1', 'RS256')).toBeDefined();
    expect(await store.resolve('k1', 'PS256')).toBeUndefined();
  });

  it('needs a kid to pick between several keys of one algorithm', async () => {
    h.signer.addKey({ kid: 'k2' });
    h.server.setBody(h.signer.jwks());
    const store = await warmStore();
    expect(store.resolve('k2', 'RS256')).toBeDefined();
    h.clock.ms += COOLDOWN_MS;
    expect(await store.resolve(undefined, 'RS256')).toBeUndefined();
  });
});
