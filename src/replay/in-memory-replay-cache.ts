import { randomInt } from 'node:crypto';
import {
  DEFAULT_REPLAY_MAX_ENTRIES,
  DEFAULT_REPLAY_MAX_SUBJECT_SHARE_PERCENT,
  MAX_REPLAY_ENTRIES,
} from '../config/defaults.js';
import { NO_ID } from './fingerprint-set.js';
import { JtiEntries } from './jti-entries.js';
import type { ReplayCache, ReplayClaimContext } from './replay-cache.js';
import { ReplayCapacityExceededError } from './replay-capacity-error.js';
import { fingerprint } from './string-hash.js';
import { SubjectCounts } from './subject-counts.js';

/** The bounds of one tenant's partition of the cache. */
export interface ReplayPartitionLimits {
  /** Most live jtis the partition holds at once. Default 1000000 (32 bytes each when full). */
  maxEntries?: number;
  /** Most of those one subject (`sub`) may hold, in percent of `maxEntries`. Default 10. */
  maxSubjectSharePercent?: number;
}

export interface InMemoryReplayCacheOptions extends ReplayPartitionLimits {
  /** Bounds of named tenants' partitions; a tenant not named here gets the bounds above. */
  tenants?: Readonly<Record<string, ReplayPartitionLimits>>;
  /** How often expired entries are released when no claim does it. Default 30000. */
  sweepIntervalMs?: number;
}

interface Partition {
  readonly index: number;
  readonly maxEntries: number;
  readonly maxPerSubject: number;
  size: number;
}

/** Problems of one set of bounds, by option name; a bad bound would quietly refuse or allow all. */
function limitProblems(limits: ReplayPartitionLimits, path: string): string[] {
  const problems: string[] = [];
  const { maxEntries, maxSubjectSharePercent: share } = limits;
  if (maxEntries !== undefined && !(Number.isInteger(maxEntries) && maxEntries >= 1)) {
    problems.push(`${path}maxEntries must be a positive integer, got ${maxEntries}`);
  } else if (maxEntries !== undefined && maxEntries > MAX_REPLAY_ENTRIES) {
    problems.push(`${path}maxEntries must be at most ${MAX_REPLAY_ENTRIES}, got ${maxEntries}`);
  }
  if (share !== undefined && !(share > 0 && share <= 100)) {
    problems.push(`${path}maxSubjectSharePercent must be above 0 and at most 100, got ${share}`);
  }
  return problems;
}

/** A claim without a context (a caller of the interface other than the library) has no tenant. */
const UNSCOPED = Symbol('unscoped');

// Thrown again and again while a partition is full: one instance each, so a refusal costs no
// allocation and no stack trace (which nobody reads: claimOnce turns it into a 503).
const TENANT_FULL = new ReplayCapacityExceededError('tenant');
const SUBJECT_AT_SHARE = new ReplayCapacityExceededError('subject');

/**
 * The default replay cache: one process, bounded, expiring. `claim` is atomic (check and set in one
 * synchronous step) and O(1), full or not.
 *
 * - **Partitioned.** Each tenant has its own partition and bound: one tenant filling its own
 *   cannot refuse another's tokens. Within a partition one subject may hold at most
 *   `maxSubjectSharePercent` of it, so one flooding user gets 503s before anyone else does.
 * - **Never evicts a live jti**, which would reopen its token to replay: a full partition, or a
 *   subject at its share, refuses the new jti with `ReplayCapacityExceededError` (503
 *   `auth.replay_capacity_exceeded`).
 * - **Compact.** A jti is held as a 64-bit fingerprint of its key (see `string-hash.ts`), about 32
 *   bytes per live jti plus 24 per subject with live jtis. Two keys with one fingerprint would
 *   refuse the second token as a replay (fail closed); at a million live jtis the chance per new
 *   token is 1e6 / 2^64, about 5e-14.
 * - **Expiry is amortised** over claims by a timing wheel; a timer releases entries when no
 *   claims arrive.
 *
 * Per process: with several instances use `RedisReplayCache`.
 */
export class InMemoryReplayCache implements ReplayCache {
  private readonly entries = new JtiEntries((owner) => this.release(owner));
  private readonly subjects = new SubjectCounts();
  private readonly partitions = new Map<string | typeof UNSCOPED, Partition>();
  private readonly partitionsByIndex: Partition[] = [];
  private readonly seedA = randomInt(2 ** 31);
  private readonly seedB = randomInt(2 ** 31);
  /** The last fingerprint computed; reused so that a claim allocates nothing for it. */
  private readonly hashed = new Int32Array(2);
  private readonly sweepIntervalMs: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: InMemoryReplayCacheOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.sweepIntervalMs = options.sweepIntervalMs ?? 30_000;
    const problems = [
      ...limitProblems(options, ''),
      ...Object.entries(options.tenants ?? {}).flatMap(([tenant, limits]) =>
        limitProblems(limits, `tenants.${tenant}.`),
      ),
    ];
    if (problems.length > 0) {
      throw new RangeError(`Invalid InMemoryReplayCache options: ${problems.join('; ')}.`);
    }
  }

  async claim(jti: string, ttlMs: number, context?: ReplayClaimContext): Promise<boolean> {
    return this.claimSync(jti, ttlMs, context);
  }

  async seen(jti: string): Promise<boolean> {
    fingerprint(jti, this.seedA, this.seedB, this.hashed);
    const id = this.entries.find(this.hashed[0] as number, this.hashed[1] as number);
    return id !== NO_ID && this.entries.expiresAt(id) > this.now();
  }

  async remember(jti: string, ttlMs: number, context?: ReplayClaimContext): Promise<void> {
    this.claimSync(jti, ttlMs, context);
  }

  /** Live jtis held, over every partition (plus those whose expiry second has not ended yet). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Entries held per tenant that has claimed one (claims without a tenant are not listed); an
   * expired entry counts until expiry releases it, as it does against the tenant's bound.
   */
  *tenantSizes(): IterableIterator<{ readonly tenant: string; readonly entries: number }> {
    for (const [tenant, partition] of this.partitions) {
      if (typeof tenant === 'string') yield { tenant, entries: partition.size };
    }
  }

  /** Entries expiry has looked at so far: it grows with the jtis that expire, not with claims. */
  get expiryWork(): number {
    return this.entries.examined;
  }

  /** Stops the sweep timer. */
  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * `claim` without a promise: this cache answers in the same tick, so the verifier calls this
   * and a request whose key is cached needs no promise at all. Throws what `claim` rejects with.
   */
  claimSync(key: string, ttlMs: number, context?: ReplayClaimContext): boolean {
    const now = this.now();
    this.entries.expire(now);
    fingerprint(key, this.seedA, this.seedB, this.hashed);
    const hi = this.hashed[0] as number;
    const lo = this.hashed[1] as number;
    const found = this.entries.find(hi, lo);
    if (found !== NO_ID) {
      if (this.entries.expiresAt(found) > now) return false;
      // Expired but not yet released: held again, by whom it already counts against.
      this.entries.renew(found, now + ttlMs);
      return true;
    }
    const partition = this.partitionOf(context?.tenant ?? UNSCOPED);
    if (partition.size >= partition.maxEntries) throw TENANT_FULL;
    const owner = context === undefined ? -1 - partition.index : this.subjectOf(partition, context);
    this.entries.add(hi, lo, now + ttlMs, owner);
    partition.size += 1;
    this.startSweeping();
    return true;
  }

  /** The subject's id in `subjects`, counting the new entry; refuses a subject at its share. */
  private subjectOf(partition: Partition, context: ReplayClaimContext): number {
    fingerprint(
      context.subject,
      this.seedA ^ partition.index,
      this.seedB + partition.index,
      this.hashed,
    );
    const hi = this.hashed[0] as number;
    const lo = this.hashed[1] as number;
    const found = this.subjects.find(hi, lo);
    if (found !== NO_ID && this.subjects.count(found) >= partition.maxPerSubject) {
      throw SUBJECT_AT_SHARE;
    }
    const id = found === NO_ID ? this.subjects.acquire(hi, lo, partition.index) : found;
    this.subjects.increment(id);
    return id;
  }

  /** An entry expired: it no longer counts against its subject and partition. */
  private release(owner: number): void {
    const index = owner < 0 ? -1 - owner : this.subjects.release(owner);
    const partition = this.partitionsByIndex[index];
    if (partition !== undefined) partition.size -= 1;
  }

  private partitionOf(tenant: string | typeof UNSCOPED): Partition {
    const existing = this.partitions.get(tenant);
    if (existing !== undefined) return existing;
    const limits = (typeof tenant === 'string' ? this.options.tenants?.[tenant] : undefined) ?? {};
    const maxEntries = limits.maxEntries ?? this.options.maxEntries ?? DEFAULT_REPLAY_MAX_ENTRIES;
    const sharePercent =
      limits.maxSubjectSharePercent ??
      this.options.maxSubjectSharePercent ??
      DEFAULT_REPLAY_MAX_SUBJECT_SHARE_PERCENT;
    const partition: Partition = {
      index: this.partitionsByIndex.length,
      maxEntries,
      maxPerSubject: Math.max(1, Math.floor((maxEntries * sharePercent) / 100)),
      size: 0,
    };
    this.partitions.set(tenant, partition);
    this.partitionsByIndex.push(partition);
    this.entries.allow(maxEntries);
    this.subjects.allow(maxEntries);
    return partition;
  }

  private startSweeping(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.entries.expire(this.now()), this.sweepIntervalMs);
    this.timer.unref();
  }
}
