import { FingerprintSet, grown, NO_ID } from './fingerprint-set.js';

/**
 * How many live entries each subject holds in its partition, keyed by a fingerprint of the subject
 * and the partition, 24 bytes per subject with entries. A subject is forgotten when its last entry
 * expires, so there are never more subjects than entries.
 */
export class SubjectCounts extends FingerprintSet {
  private counts = new Int32Array(this.capacity);
  private partitions = new Int32Array(this.capacity);

  count(id: number): number {
    return this.counts[id] as number;
  }

  /** The subject's id, added with no entries when it has none yet. */
  acquire(hi: number, lo: number, partition: number): number {
    const found = this.find(hi, lo);
    if (found !== NO_ID) return found;
    const id = this.insert(hi, lo);
    this.counts[id] = 0;
    this.partitions[id] = partition;
    return id;
  }

  increment(id: number): void {
    this.counts[id] = (this.counts[id] as number) + 1;
  }

  /** One entry of the subject expired; answers the partition the subject belongs to. */
  release(id: number): number {
    const partition = this.partitions[id] as number;
    const count = (this.counts[id] as number) - 1;
    this.counts[id] = count;
    if (count === 0) this.remove(id);
    return partition;
  }

  protected override growColumns(capacity: number): void {
    this.counts = grown(this.counts, capacity);
    this.partitions = grown(this.partitions, capacity);
  }
}
