import type { SessionCacheStore } from './session-cache-store.js';

/** Options of {@link InMemorySessionStore}. */
export interface InMemorySessionStoreOptions {
  /** Most entries kept; the oldest is dropped to make room. Default 10000. */
  readonly maxEntries?: number;
}

interface Entry {
  readonly value: string;
  readonly expiresAt: number;
  readonly tags: readonly string[];
}

const DEFAULT_MAX_ENTRIES = 10_000;

/**
 * The default {@link SessionCacheStore}: one process's memory, bounded and expiring, with no
 * timers (expired entries go when read or when the oldest are dropped for room). Each pod has its
 * own, so a revoke only evicts the pod that handled it; the others keep the entry until its ttl.
 * A write with a generation is checked and done in one step: no eviction can come in between.
 */
export class InMemorySessionStore implements SessionCacheStore {
  private readonly entries = new Map<string, Entry>();
  private readonly keysByTag = new Map<string, Set<string>>();
  private readonly maxEntries: number;
  private evictions = 0;

  constructor(options: InMemorySessionStoreOptions = {}) {
    this.maxEntries = Math.max(1, options.maxEntries ?? DEFAULT_MAX_ENTRIES);
  }

  get size(): number {
    return this.entries.size;
  }

  async get(key: string): Promise<string | undefined> {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.remove(key);
      return undefined;
    }
    return entry.value;
  }

  async set(
    key: string,
    value: string,
    ttlMs: number,
    tags: readonly string[],
    generation?: string,
  ): Promise<void> {
    if (generation !== undefined && generation !== String(this.evictions)) return;
    this.remove(key);
    if (!(ttlMs > 0)) return;
    this.makeRoom();
    this.entries.set(key, { value, expiresAt: Date.now() + ttlMs, tags: [...tags] });
    for (const tag of tags) {
      let keys = this.keysByTag.get(tag);
      if (keys === undefined) {
        keys = new Set();
        this.keysByTag.set(tag, keys);
      }
      keys.add(key);
    }
  }

  async deleteTagged(tag: string): Promise<void> {
    this.evictions += 1;
    const keys = this.keysByTag.get(tag);
    if (keys === undefined) return;
    for (const key of [...keys]) this.remove(key);
  }

  async generation(): Promise<string> {
    return String(this.evictions);
  }

  /** Drops everything, e.g. when the module shuts down. */
  clear(): void {
    this.evictions += 1;
    this.entries.clear();
    this.keysByTag.clear();
  }

  /** Map order is insertion order, so the first keys are the oldest. */
  private makeRoom(): void {
    for (const key of this.entries.keys()) {
      if (this.entries.size < this.maxEntries) return;
      this.remove(key);
    }
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    for (const tag of entry.tags) {
      const keys = this.keysByTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.keysByTag.delete(tag);
    }
  }
}
