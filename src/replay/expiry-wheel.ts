import { grown, NO_ID } from './fingerprint-set.js';

const TICK_MS = 1_000;
/** A power of two; with 1 s ticks, one turn of the wheel covers 17 minutes. */
const BUCKETS = 1_024;
const BUCKET_MASK = BUCKETS - 1;

/**
 * Orders ids by expiry time in one-second buckets (a hashed timing wheel), so that expiring costs
 * O(1) amortised per id and nothing is ever scanned: each bucket is a linked list in a typed
 * array, and a bucket is handed over only once its whole second has passed. An id that is not
 * due yet when its bucket comes round (it expires in a later turn, or its expiry was extended) is
 * scheduled again by the visitor, so an id costs one visit per 17 minutes of its life, plus one.
 */
export class ExpiryWheel {
  private readonly heads = new Int32Array(BUCKETS).fill(NO_ID);
  private next: Int32Array;
  /** Every bucket up to this tick has been handed over; undefined before the first `advance`. */
  private doneTick: number | undefined;
  private visits = 0;

  constructor(capacity: number) {
    this.next = new Int32Array(capacity);
  }

  /** Ids handed to a visitor since the wheel was made: what expiring has cost in total. */
  get visited(): number {
    return this.visits;
  }

  grow(capacity: number): void {
    this.next = grown(this.next, capacity);
  }

  schedule(id: number, expiresAt: number): void {
    let tick = Math.floor(expiresAt / TICK_MS);
    // A bucket already handed over this turn would only come round again in 17 minutes.
    if (this.doneTick !== undefined && tick <= this.doneTick) tick = this.doneTick + 1;
    const bucket = tick & BUCKET_MASK;
    this.next[id] = this.heads[bucket] as number;
    this.heads[bucket] = id;
  }

  /** Hands `visit` each id of every bucket whose second ended by `now`, each bucket once. */
  advance(now: number, visit: (id: number) => void): void {
    const lastDueTick = Math.floor(now / TICK_MS) - 1;
    const done = this.doneTick;
    this.doneTick = Math.max(done ?? lastDueTick, lastDueTick);
    if (done === undefined || lastDueTick <= done) return;
    // After a long pause every bucket is due, but each needs handing over only once.
    const end = Math.min(lastDueTick, done + BUCKETS);
    for (let tick = done + 1; tick <= end; tick += 1) {
      const bucket = tick & BUCKET_MASK;
      let id = this.heads[bucket] as number;
      this.heads[bucket] = NO_ID;
      while (id !== NO_ID) {
        const following = this.next[id] as number;
        this.visits += 1;
        visit(id);
        id = following;
      }
    }
  }
}
