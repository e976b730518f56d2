import { afterEach, beforeEach, expect, vi } from 'vitest';
import type { ValidatedJwksConfig } from '../../../src/config/tenant-config.js';
import { JwksKeyStore } from '../../../src/jwt/jwks-key-store.js';
import { OathkeeperJwtVerifier } from '../../../src/jwt/oathkeeper-jwt-verifier.js';
import { TestSigner } from '../../../src/testing/test-signer.js';
import { type LocalJwksServer, startJwksServer } from './jwks-server.js';
import { AUDIENCE, jwtTenant, RecordingSink, SpyReplayCache } from './verifier-fixtures.js';

export const REFRESH_MS = 60_000;
export const COOLDOWN_MS = 30_000;
/** JwksKeyStore's retry interval while the JWKS is failing (never loaded, or last fetch failed). */
export const FAILING_RETRY_MS = 1_000;

/**
 * What every key store test needs, fresh per test: a signer whose JWKS a loopback server serves,
 * an audit sink, an injected clock (`clock.ms`), and stores that are closed after the test.
 */
export interface KeyStoreHarness {
  readonly signer: TestSigner;
  readonly server: LocalJwksServer;
  readonly sink: RecordingSink;
  readonly clock: { ms: number };
  jwksConfig(url?: string, extra?: Record<string, unknown>): ValidatedJwksConfig;
  newStore(config?: ValidatedJwksConfig): JwksKeyStore;
  /** A store whose first fetch has completed. */
  warmStore(config?: ValidatedJwksConfig): Promise<JwksKeyStore>;
  verifierFor(store: JwksKeyStore): OathkeeperJwtVerifier;
  /** Claims of a token the verifier accepts now. */
  claims(): Record<string, unknown>;
}

/** Registers the hooks that build and tear down a {@link KeyStoreHarness} around each test. */
export function useKeyStoreHarness(): KeyStoreHarness {
  let signer: TestSigner | undefined;
  let server: LocalJwksServer | undefined;
  let sink = new RecordingSink();
  const clock = { ms: 0 };
  const stores: JwksKeyStore[] = [];
  const defined = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the key store harness is used outside a test');
    return value;
  };

  beforeEach(async () => {
    signer = TestSigner.create({ kid: 'k1' });
    server = await startJwksServer(signer.jwks());
    sink = new RecordingSink();
    clock.ms = Date.now();
  });
  afterEach(async () => {
    vi.useRealTimers();
    for (const store of stores.splice(0)) store.close();
    await server?.close();
  });

  const harness: KeyStoreHarness = {
    get signer() {
      return defined(signer);
    },
    get server() {
      return defined(server);
    },
    get sink() {
      return sink;
    },
    clock,
    jwksConfig(url = harness.server.url, extra = {}) {
      const jwks = jwtTenant(url, {
        jwks: { url, refreshIntervalMs: REFRESH_MS, cooldownMs: COOLDOWN_MS, ...extra },
      }).oathkeeper?.jwks;
      if (jwks === undefined) throw new Error('no jwks config');
      return jwks;
    },
    newStore(config = harness.jwksConfig()) {
      const store = new JwksKeyStore(config, 'default', sink.emitter(), () => clock.ms);
      stores.push(store);
      return store;
    },
    async warmStore(config) {
      const store = harness.newStore(config);
      const before = harness.server.requests;
      await store.refresh();
      expect(harness.server.requests).toBe(before + 1);
      return store;
    },
    verifierFor(store) {
      const tenant = jwtTenant(harness.server.url);
      const oathkeeper = tenant.oathkeeper;
      if (oathkeeper === undefined) throw new Error('no oathkeeper config');
      return new OathkeeperJwtVerifier(
        tenant,
        oathkeeper,
        store,
        new SpyReplayCache(),
        () => clock.ms,
      );
    },
    claims: () => ({ aud: AUDIENCE, tenant: 'default', exp: Math.floor(clock.ms / 1_000) + 60 }),
  };
  return harness;
}

/**
 * The audit event is emitted inside a fetch; the store forgets that fetch in a `finally` a few
 * microtasks later. One macrotask turn lets that run before the next fake timer tick.
 */
export const settled = () => new Promise<void>((resolve) => setImmediate(resolve));
