import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { IamSession } from '../../../src/ory/kratos/iam-session.js';
import { KratosSessionCache } from '../../../src/ory/kratos/session-cache.js';
import { InMemorySessionStore } from '../../../src/session-cache/in-memory-session-store.js';
import type { SessionCacheStore } from '../../../src/session-cache/session-cache-store.js';
import type { SessionCredential } from '../../../src/transport/kratos-credentials.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const cookie: SessionCredential = { kind: 'cookie', value: 'MTcwMDAwfGNvb2tpZQ==' };
const token: SessionCredential = { kind: 'token', value: 'ory_st_abc' };
/** The generation of a store nothing was evicted from yet. */
const BEFORE_ANY_EVICTION = '0';

function session(overrides: Partial<IamSession> = {}): IamSession {
  return {
    id: 'session-1',
    active: true,
    expiresAt: new Date(NOW + 3_600_000),
    authenticatedAt: new Date(NOW - 60_000),
    issuedAt: new Date(NOW - 60_000),
    aal: 'aal1',
    identity: {
      id: 'identity-1',
      tenant: 'default',
      state: 'active',
      roles: ['admin'],
      traits: { email: 'a@example.test' },
      metadataPublic: { roles: ['admin'] },
    },
    ...overrides,
  };
}

/** Records what reaches the store, to prove what it never sees. */
class RecordingStore implements SessionCacheStore {
  readonly inner = new InMemorySessionStore();
  readonly sets: Array<{ key: string; value: string; ttlMs: number; tags: readonly string[] }> = [];

  get(key: string) {
    return this.inner.get(key);
  }
  set(key: string, value: string, ttlMs: number, tags: readonly string[], generation?: string) {
    this.sets.push({ key, value, ttlMs, tags });
    return this.inner.set(key, value, ttlMs, tags, generation);
  }
  deleteTagged(tag: string) {
    return this.inner.deleteTagged(tag);
  }
  generation() {
    return this.inner.generation();
  }
}

class FailingStore implements SessionCacheStore {
  async get(): Promise<string | undefined> {
    throw new Error('connection refused');
  }
  async set(): Promise<void> {
    throw new Error('connection refused');
  }
  async deleteTagged(): Promise<void> {
    throw new Error('connection refused');
  }
  async generation(): Promise<string> {
    throw new Error('connection refused');
  }
}

describe('KratosSessionCache', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('gives back the cached session for the same credential until the ttl ends', async () => {
    const cache = new KratosSessionCache(new InMemorySessionStore(), 'default', 10_000);
    await cache.put(cookie, session(), BEFORE_ANY_EVICTION);

    expect(await cache.get(cookie)).toEqual(session());
    expect(await cache.get(token)).toBeUndefined();
    vi.advanceTimersByTime(10_000);
    expect(await cache.get(cookie)).toBeUndefined();
  });

  it('never keeps an entry past the session expires_at, and skips sessions without one', async () => {
    const store = new RecordingStore();
    const cache = new KratosSessionCache(store, 'default', 10_000);

    await cache.put(cookie, session({ expiresAt: new Date(NOW + 2_500) }), BEFORE_ANY_EVICTION);
    await cache.put(token, session({ expiresAt: undefined }), BEFORE_ANY_EVICTION);
    await cache.put(token, session({ expiresAt: new Date(NOW - 1) }), BEFORE_ANY_EVICTION);

    expect(store.sets.map((set) => set.ttlMs)).toEqual([2_500]);
    vi.advanceTimersByTime(2_500);
    expect(await cache.get(cookie)).toBeUndefined();
  });

  it('keys by a hash of tenant, kind and credential, so the store never sees the credential', async () => {
    const store = new RecordingStore();
    await new KratosSessionCache(store, 'default', 10_000).put(
      cookie,
      session(),
      BEFORE_ANY_EVICTION,
    );
    await new KratosSessionCache(store, 'other', 10_000).put(
      cookie,
      session(),
      BEFORE_ANY_EVICTION,
    );
    await new KratosSessionCache(store, 'default', 10_000).put(
      { kind: 'token', value: cookie.value },
      session(),
      BEFORE_ANY_EVICTION,
    );

    const keys = store.sets.map((set) => set.key);
    expect(new Set(keys).size).toBe(3);
    for (const { key, value, tags } of store.sets) {
      expect(key).toMatch(/^[0-9a-f]{64}$/);
      expect(`${key}${value}${tags.join()}`).not.toContain(cookie.value);
    }
    expect(await new KratosSessionCache(store, 'other', 10_000).get(token)).toBeUndefined();
  });

  it('evicts every credential of a revoked session, or of an identity', async () => {
    const cache = new KratosSessionCache(new InMemorySessionStore(), 'default', 10_000);
    await cache.put(cookie, session(), BEFORE_ANY_EVICTION);
    await cache.put(token, session({ id: 'session-2' }), BEFORE_ANY_EVICTION);

    await cache.evictSession('session-1');
    expect(await cache.get(cookie)).toBeUndefined();
    expect(await cache.get(token)).toBeDefined();

    await cache.evictIdentity('identity-1');
    expect(await cache.get(token)).toBeUndefined();
  });

  it('does not write a session fetched before an eviction, whichever session was evicted', async () => {
    const store = new RecordingStore();
    const cache = new KratosSessionCache(store, 'default', 10_000);
    const generation = await cache.generation();

    await cache.evictSession('session-9');
    await cache.put(cookie, session(), generation);

    expect(await cache.get(cookie)).toBeUndefined();
    await cache.put(cookie, session(), await cache.generation());
    expect(await cache.get(cookie)).toBeDefined();
  });

  it('evicts a logged-out credential with every other credential of its session', async () => {
    const cache = new KratosSessionCache(new InMemorySessionStore(), 'default', 10_000);
    await cache.put(cookie, session(), BEFORE_ANY_EVICTION);
    await cache.put(token, session(), BEFORE_ANY_EVICTION);

    await cache.evictCredential(token);

    expect(await cache.get(cookie)).toBeUndefined();
    expect(await cache.get(token)).toBeUndefined();
  });

  it('evicting a credential it does not hold still stops writes fetched before', async () => {
    const cache = new KratosSessionCache(new InMemorySessionStore(), 'default', 10_000);
    const generation = await cache.generation();

    await cache.evictCredential(token);
    await cache.put(token, session(), generation);

    expect(await cache.get(token)).toBeUndefined();
  });

  it('caches nothing when the store cannot tell its generation', async () => {
    const store = new RecordingStore();
    const cache = new KratosSessionCache(store, 'default', 10_000);
    await cache.put(cookie, session(), undefined);
    expect(store.sets).toEqual([]);
  });

  it('treats a failing store as a miss and never throws from reads, writes or evictions', async () => {
    const cache = new KratosSessionCache(new FailingStore(), 'default', 10_000);

    await expect(cache.generation()).resolves.toBeUndefined();
    await expect(cache.evictCredential(token)).resolves.toBeUndefined();
    await expect(cache.get(cookie)).resolves.toBeUndefined();
    await expect(cache.put(cookie, session(), BEFORE_ANY_EVICTION)).resolves.toBeUndefined();
    await expect(cache.evictSession('session-1')).resolves.toBeUndefined();
  });

  it('treats a corrupt or foreign entry as a miss', async () => {
    const store = new InMemorySessionStore();
    const cache = new KratosSessionCache(store, 'default', 10_000);
    for (const value of ['not json', '{"v":2}', JSON.stringify({ v: 1, id: 'x' }), '[]']) {
      await store.set(cache.keyOf(cookie), value, 10_000, []);
      expect(await cache.get(cookie)).toBeUndefined();
    }
  });
});
