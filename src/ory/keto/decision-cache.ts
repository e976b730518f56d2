import type { PermissionTuple } from '../../permissions/permission-tuple.js';

/**
 * The cache key of a tuple. JSON of the parts, not `describeTuple`'s `ns:obj#rel@subject`: objects
 * and subjects may contain `:`, `#` or `@`, and two different tuples sharing a key could turn one
 * subject's allow into another's.
 */
export function decisionKey(tuple: PermissionTuple): string {
  const { subject } = tuple;
  return JSON.stringify([
    tuple.namespace,
    tuple.object,
    tuple.relation,
    typeof subject === 'string' ? subject : [subject.namespace, subject.object, subject.relation],
  ]);
}

interface Entry {
  readonly allowed: boolean;
  readonly expiresAt: number;
}

/** Sizing of a {@link DecisionCache}. */
export interface DecisionCacheOptions {
  readonly ttlMs: number;
  readonly maxEntries: number;
  /** Clock, for tests. Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * One tenant's recent Keto answers (allow and deny), each kept for `ttlMs`, at most `maxEntries`
 * (the oldest goes first). `clear()` drops everything and starts a new generation: an answer
 * fetched before a grant or revoke (the caller captured the old `generation`) is not stored after
 * it, so a check racing a revoke cannot put the revoked allow back.
 */
export class DecisionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  private currentGeneration = 0;

  constructor(private readonly options: DecisionCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Capture before asking Keto; pass to {@link set}. */
  get generation(): number {
    return this.currentGeneration;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached answer, or undefined when there is none or it expired. */
  get(tuple: PermissionTuple): boolean | undefined {
    const key = decisionKey(tuple);
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.allowed;
  }

  /** Stores an answer Keto gave, unless the cache was cleared since `generation` was read. */
  set(tuple: PermissionTuple, allowed: boolean, generation: number): void {
    if (generation !== this.currentGeneration) return;
    const key = decisionKey(tuple);
    // Re-inserting moves the key to the end, so insertion order stays expiry order (one TTL).
    this.entries.delete(key);
    while (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(key, { allowed, expiresAt: this.now() + this.options.ttlMs });
  }

  /** Forgets every answer; called after each grant and revoke through `PermissionService`. */
  clear(): void {
    this.entries.clear();
    this.currentGeneration += 1;
  }
}
