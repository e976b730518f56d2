/** No id: an empty bucket, the end of a chain, or a fingerprint that is not in the set. */
export const NO_ID = -1;

const INITIAL_CAPACITY = 1_024;

/** A copy of `array`, `length` long, with the content kept (the rest zero). */
export function grown<T extends Int32Array | Float64Array>(array: T, length: number): T {
  const next = (
    array instanceof Float64Array ? new Float64Array(length) : new Int32Array(length)
  ) as T;
  next.set(array);
  return next;
}

/**
 * A set of 64-bit fingerprints (two int32 halves) giving each member a small integer id, in typed
 * arrays: a few bytes per member where a `Map` of strings costs well over a hundred, and nothing
 * for the garbage collector to trace. Subclasses keep their own columns indexed by id.
 *
 * Chained hashing with at most one member per bucket on average, so `find`, `add` and `delete`
 * are O(1) expected. Storage starts small and doubles as members arrive, up to `ceiling` (raised by
 * the owner as it allows more members): memory follows the peak use, not the configured bound.
 * Each doubling rehashes once, amortised O(1) per member; it never shrinks.
 */
export abstract class FingerprintSet {
  private hi = new Int32Array(INITIAL_CAPACITY);
  private lo = new Int32Array(INITIAL_CAPACITY);
  /** Next id in the same bucket; for a free id, the next free id. */
  private chain = new Int32Array(INITIAL_CAPACITY);
  private heads = new Int32Array(INITIAL_CAPACITY).fill(NO_ID);
  private freeHead = NO_ID;
  private highWater = 0;
  private members = 0;
  private ceiling = 0;

  get size(): number {
    return this.members;
  }

  protected get capacity(): number {
    return this.hi.length;
  }

  /** Lets the set hold `count` more members at once than before. */
  allow(count: number): void {
    this.ceiling += count;
  }

  find(hi: number, lo: number): number {
    let id = this.heads[lo & (this.heads.length - 1)] as number;
    while (id !== NO_ID) {
      if (this.lo[id] === lo && this.hi[id] === hi) return id;
      id = this.chain[id] as number;
    }
    return NO_ID;
  }

  /** Adds a fingerprint that `find` did not find; the caller keeps members within `allow`. */
  protected insert(hi: number, lo: number): number {
    let id = this.freeHead;
    if (id === NO_ID) {
      if (this.highWater === this.capacity) this.grow();
      id = this.highWater;
      this.highWater += 1;
    } else {
      this.freeHead = this.chain[id] as number;
    }
    this.hi[id] = hi;
    this.lo[id] = lo;
    this.link(id, this.heads);
    this.members += 1;
    return id;
  }

  protected remove(id: number): void {
    const bucket = (this.lo[id] as number) & (this.heads.length - 1);
    const next = this.chain[id] as number;
    let current = this.heads[bucket] as number;
    if (current === id) {
      this.heads[bucket] = next;
    } else {
      let previous = current;
      current = this.chain[current] as number;
      while (current !== id) {
        previous = current;
        current = this.chain[current] as number;
      }
      this.chain[previous] = next;
    }
    this.chain[id] = this.freeHead;
    this.freeHead = id;
    this.members -= 1;
  }

  /** Grows the subclass's columns to `capacity` ids. */
  protected abstract growColumns(capacity: number): void;

  private link(id: number, heads: Int32Array): void {
    const bucket = (this.lo[id] as number) & (heads.length - 1);
    this.chain[id] = heads[bucket] as number;
    heads[bucket] = id;
  }

  private grow(): void {
    const capacity = Math.max(this.capacity + 1, Math.min(this.capacity * 2, this.ceiling));
    this.hi = grown(this.hi, capacity);
    this.lo = grown(this.lo, capacity);
    const oldChain = this.chain;
    this.chain = grown(oldChain, capacity);
    this.growColumns(capacity);
    if (capacity <= this.heads.length) return;
    // Ids are not free here (the free list was empty), so every id below highWater is a member.
    const heads = new Int32Array(2 ** Math.ceil(Math.log2(capacity))).fill(NO_ID);
    for (let id = 0; id < this.highWater; id += 1) this.link(id, heads);
    this.heads = heads;
  }
}
