import { randomUUID } from 'node:crypto';
import type { BoundedRedis } from '../redis/redis-client.js';
import type { ReplayClaimContext } from './replay-cache.js';

/**
 * What the epoch key holds, as JSON: a random id naming the data set Redis holds now, and, once a
 * loss was seen, when, so that a pod that starts (or reconnects) later learns it too.
 */
interface EpochRecord {
  readonly id: string;
  /** When a pod detected that Redis had lost its records, ms since the Unix epoch. */
  readonly lostAtMs?: number;
  /** Until when tokens without `iat`/`nbf` are refused after that loss (see {@link RedisEpoch}). */
  readonly undatedRefusedUntilMs?: number;
}

function parseRecord(stored: string): EpochRecord {
  try {
    const parsed: unknown = JSON.parse(stored);
    if (typeof parsed === 'object' && parsed !== null && 'id' in parsed) {
      const { id, lostAtMs, undatedRefusedUntilMs } = parsed as Record<string, unknown>;
      return {
        id: String(id),
        lostAtMs: typeof lostAtMs === 'number' ? lostAtMs : undefined,
        undatedRefusedUntilMs:
          typeof undatedRefusedUntilMs === 'number' ? undatedRefusedUntilMs : undefined,
      };
    }
  } catch {
    // Not ours (or older): it still names a data set; it just records no loss.
  }
  return { id: stored };
}

/**
 * Detects that Redis lost the replay cache's records (a restart without persistence, a failover
 * to a replica that had not caught up, a flush), so that tokens accepted before the loss cannot be
 * replayed after it.
 *
 * An epoch key without expiry holds a random id, written with `SET NX` by the first pod to start,
 * read and remembered by every other. The key is read again after every (re)connect of the client
 * (its `ready` event; a restarted Redis always drops the connection), not on every request. When
 * it is missing, or another pod already replaced it, Redis lost its records: the pod records the
 * time (`lostAtMs`), writes a new epoch (`SET NX`, so that pods agree on one) carrying that time,
 * and from then on refuses every token that can have been accepted before the loss: its
 * `usableFromMs` (`iat` less the skew) is earlier, or it has no date. Dated tokens need no timer:
 * a token issued before the loss stops passing the verifier's `exp`/`maxTokenAgeMs` checks no later
 * than its jti would have left Redis (the verifier holds a jti until then, at least), so the
 * refusal ends with the replay window by itself. Tokens without a date are refused until
 * `undatedRefusedUntilMs`: the loss plus the longest hold this pod (or the pod that recorded the
 * loss) had granted, which is only as good as the traffic it saw.
 *
 * The cache asks {@link RedisEpoch.checked} once a `SET NX` has answered: a reconnect while it was
 * out has bumped the generation by then (ioredis emits `ready` before any reply on the new
 * connection), so the claim waits for that connection's check (and fails with it). Otherwise the
 * hot path costs two comparisons.
 */
export class RedisEpoch {
  /** The epoch id this pod believes Redis holds; undefined until the first check answered. */
  private known: string | undefined;
  /** Bumped on every `ready`; the connection is checked when the two are equal. */
  private generation = 0;
  private checkedGeneration = -1;
  private checking: Promise<void> | undefined;
  private longestHoldMs = 0;
  private undatedRefusedUntilMs = 0;
  /** When the last loss was detected (or recorded by another pod), ms since the Unix epoch. */
  lostAtMs: number | undefined;

  private readonly onReady = (): void => {
    this.generation += 1;
    this.check().catch(() => undefined);
  };

  constructor(
    private readonly redis: BoundedRedis,
    readonly key: string,
    private readonly now: () => number = Date.now,
    private readonly newId: () => string = randomUUID,
  ) {
    redis.client.on?.('ready', this.onReady);
    // A client that is already connected emits no `ready` for us: check now, not at the first claim.
    this.check().catch(() => undefined);
  }

  /** True when the epoch was compared since the client's last (re)connect. */
  get checked(): boolean {
    return this.checkedGeneration === this.generation;
  }

  /** Compares the epoch for the current connection, joining a comparison already under way. */
  async check(): Promise<void> {
    while (!this.checked) {
      this.checking ??= this.compare();
      await this.checking;
    }
  }

  /**
   * True when a token claimed for the first time now may have been used before the loss. Also
   * notes the hold, to bound how long undated tokens are refused after a loss.
   */
  refuses(ttlMs: number, context: ReplayClaimContext | undefined): boolean {
    if (ttlMs > this.longestHoldMs) this.longestHoldMs = ttlMs;
    const lostAt = this.lostAtMs;
    if (lostAt === undefined) return false;
    const usableFrom = context?.usableFromMs;
    if (usableFrom === undefined) return this.now() < this.undatedRefusedUntilMs;
    return usableFrom < lostAt;
  }

  /** Stops listening to the client, which may outlive the cache. */
  close(): void {
    this.redis.client.off?.('ready', this.onReady);
  }

  private async compare(): Promise<void> {
    const generation = this.generation;
    try {
      const stored = await this.read();
      if (this.known === undefined) {
        // First contact: whatever Redis holds is the data set this pod starts with. A pod that
        // starts after a restart wiped Redis cannot tell: that is what persistence is for.
        this.adopt(stored ?? (await this.write({ id: this.newId() })));
      } else if (stored?.id !== this.known) {
        await this.recordLoss(stored);
      }
      this.checkedGeneration = generation;
    } finally {
      this.checking = undefined;
    }
  }

  /**
   * Redis no longer holds the data set this pod knew. The loss happened before now, and before
   * the time another pod recorded, if it recorded one: the later of the two is the conservative
   * choice (it refuses a few tokens issued just after the loss, never admits one issued before).
   */
  private async recordLoss(stored: EpochRecord | undefined): Promise<void> {
    const detectedAt = this.now();
    this.lostAtMs = Math.max(detectedAt, stored?.lostAtMs ?? 0, this.lostAtMs ?? 0);
    this.undatedRefusedUntilMs = Math.max(
      this.undatedRefusedUntilMs,
      detectedAt + this.longestHoldMs,
      stored?.undatedRefusedUntilMs ?? 0,
    );
    // Keeps the old id until the new one is known: a failed write is a loss seen again next time.
    this.adopt(
      stored ??
        (await this.write({
          id: this.newId(),
          lostAtMs: this.lostAtMs,
          undatedRefusedUntilMs: this.undatedRefusedUntilMs,
        })),
    );
  }

  /** Takes a record as the current data set, and any loss it records. */
  private adopt(record: EpochRecord): void {
    this.known = record.id;
    if (record.lostAtMs !== undefined) {
      this.lostAtMs = Math.max(this.lostAtMs ?? 0, record.lostAtMs);
    }
    if (record.undatedRefusedUntilMs !== undefined) {
      this.undatedRefusedUntilMs = Math.max(
        this.undatedRefusedUntilMs,
        record.undatedRefusedUntilMs,
      );
    }
  }

  private async read(): Promise<EpochRecord | undefined> {
    const stored = await this.redis.call('GET', this.key);
    return typeof stored === 'string' ? parseRecord(stored) : undefined;
  }

  /** Writes a new epoch unless another pod just did (`NX`, no expiry); answers the one that won. */
  private async write(record: EpochRecord): Promise<EpochRecord> {
    if ((await this.redis.call('SET', this.key, JSON.stringify(record), 'NX')) === 'OK') {
      return record;
    }
    const winner = await this.read();
    if (winner === undefined)
      throw new Error(`The replay epoch ${this.key} vanished as it was written`);
    return winner;
  }
}
