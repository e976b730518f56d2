import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { IamSession } from '../../../src/ory/kratos/iam-session.js';
import { KratosSessionCache } from '../../../src/ory/kratos/session-cache.js';
import { InMemorySessionStore } from '../../../src/session-cache/in-memory-session-store.js';
import type { SessionCacheStore } from '../../../src/session-cache/session-cache-store.js';
import type { SessionCredential } from '../../../src/transport/kratos-credentials.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const cookie: SessionCredential = { kind: 'cookie', value: 'MTcwMDAwfGNvb2tpZQ==' };
const token: SessionCredential = { kind: 'token', value: 'ory_st_abc' };

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
  set(key: string, value: string, ttlMs: number, tags: readonly string[]) {
    this.sets.push({ key, value, ttlMs, tags });
    return this.inner.set(key, value, ttlMs, tags);
  }
  deleteTagged(tag: string) {
    return this.inner.deleteTagged(tag);
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
    await cache.put(cookie, session());

    expect(await cache.get(cookie)).toEqual(session());
    expect(await cache.get(token)).toBeUndefined();
    vi.advanceTimersByTime(10_000);
    expect(await cache.get(cookie)).toBeUndefined();
  });

  it('never keeps an entry past the session expires_at, and skips sessions without one', async () => {
    const store = new RecordingStore();
    const cache = new KratosSessionCache(store, 'default', 10_000);

    await cache.put(cookie, session({ expiresAt: new Date(NOW + 2_500) }));
    await cache.put(token, session({ expiresAt: undefined }));
    await cache.put(token, session({ expiresAt: new Date(NOW - 1) }));

    expect(store.sets.map((set) => set.ttlMs)).toEqual([2_500]);
    vi.advanceTimersByTime(2_500);
    expect(await cache.get(cookie)).toBeUndefined();
  });

  it('keys by a hash of tenant, kind and credential, so the store never sees the credential', async () => {
    const store = new RecordingStore();
    await new KratosSessionCache(store, 'default', 10_000).put(cookie, session());
    await new KratosSessionCache(store, 'other', 10_000).put(cookie, session());
    await new KratosSessionCache(store, 'default', 10_000).put(
      { kind: 'token', value: cookie.value },
      session(),
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
    await cache.put(cookie, session());
    await cache.put(token, session({ id: 'session-2' }));

    await cache.evictSession('session-1');
    expect(await cache.get(cookie)).toBeUndefined();
    expect(await cache.get(token)).toBeDefined();

    await cache.evictIdentity('identity-1');
    expect(await cache.get(token)).toBeUndefined();
  });

  it('treats a failing store as a miss and never throws from reads, writes or evictions', async () => {
    const cache = new KratosSessionCache(new FailingStore(), 'default', 10_000);

    await expect(cache.get(cookie)).resolves.toBeUndefined();
    await expect(cache.put(cookie, session())).resolves.toBeUndefined();
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
