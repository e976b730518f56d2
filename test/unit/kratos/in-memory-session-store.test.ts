import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InMemorySessionStore } from '../../../src/session-cache/in-memory-session-store.js';

describe('InMemorySessionStore', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('returns a value until its ttl has passed, then forgets it', async () => {
    const store = new InMemorySessionStore();
    await store.set('k', 'v', 1_000, []);

    vi.advanceTimersByTime(999);
    expect(await store.get('k')).toBe('v');
    vi.advanceTimersByTime(1);
    expect(await store.get('k')).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('does not store a value whose ttl is zero, negative or not a number', async () => {
    const store = new InMemorySessionStore();
    await store.set('zero', 'v', 0, []);
    await store.set('negative', 'v', -5, []);
    await store.set('nan', 'v', Number.NaN, []);
    expect(store.size).toBe(0);
  });

  it('evicts every key carrying a tag, and only those', async () => {
    const store = new InMemorySessionStore();
    await store.set('cookie', 'a', 10_000, ['session:s1', 'identity:i1']);
    await store.set('token', 'b', 10_000, ['session:s2', 'identity:i1']);
    await store.set('other', 'c', 10_000, ['session:s3', 'identity:i2']);

    await store.deleteTagged('session:s1');
    expect(await store.get('cookie')).toBeUndefined();
    expect(await store.get('token')).toBe('b');

    await store.deleteTagged('identity:i1');
    expect(await store.get('token')).toBeUndefined();
    expect(await store.get('other')).toBe('c');
    await store.deleteTagged('identity:unknown');
  });

  it('drops the old tags when a key is overwritten', async () => {
    const store = new InMemorySessionStore();
    await store.set('k', 'old', 10_000, ['session:old']);
    await store.set('k', 'new', 10_000, ['session:new']);

    await store.deleteTagged('session:old');
    expect(await store.get('k')).toBe('new');
  });

  it('stays within maxEntries by dropping the oldest entries', async () => {
    const store = new InMemorySessionStore({ maxEntries: 2 });
    await store.set('first', '1', 10_000, ['t1']);
    await store.set('second', '2', 10_000, []);
    await store.set('third', '3', 10_000, []);

    expect(store.size).toBe(2);
    expect(await store.get('first')).toBeUndefined();
    expect(await store.get('third')).toBe('3');
    await store.deleteTagged('t1');
    expect(store.size).toBe(2);
  });

  it('writes with a generation only while no eviction has happened since it was read', async () => {
    const store = new InMemorySessionStore();
    const before = await store.generation();
    await store.set('fresh', 'v', 10_000, [], before);
    expect(await store.get('fresh')).toBe('v');

    // Any tag moves it, not only the entry's own: the store cannot know the entry's tags ahead.
    await store.deleteTagged('session:unrelated');
    await store.set('stale', 'v', 10_000, ['session:s'], before);
    expect(await store.get('stale')).toBeUndefined();

    const after = await store.generation();
    expect(after).not.toBe(before);
    await store.set('stale', 'v', 10_000, ['session:s'], after);
    expect(await store.get('stale')).toBe('v');
    store.clear();
    expect(await store.generation()).not.toBe(after);
  });
});
