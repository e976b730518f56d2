import type { ReplayCache } from './replay-cache.js';

export interface InMemoryReplayCacheOptions {
  /** Most jtis held at once. Default 500000 (roughly 75 MB at worst). */
  maxEntries?: number;
  /** How often expired entries are swept. Default 30000. */
  sweepIntervalMs?: number;
}

/**
 * The default replay cache: one process, bounded, expiring. `claim` is atomic (check and set in one
 * synchronous step). When it is full of live jtis it refuses new ones (so the request gets a 503)
 * instead of evicting a live jti, which would reopen that token to replay. Per process: with
 * several instances use `RedisReplayCache`.
 */
export class InMemoryReplayCache implements ReplayCache {
  private readonly expiries = new Map<string, number>();
  private readonly maxEntries: number;
  private readonly sweepIntervalMs: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    options: InMemoryReplayCacheOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.maxEntries = options.maxEntries ?? 500_000;
    this.sweepIntervalMs = options.sweepIntervalMs ?? 30_000;
  }

  async claim(jti: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    if (this.isLive(jti, now)) return false;
    this.insert(jti, now + ttlMs, now);
    return true;
  }

  async seen(jti: string): Promise<boolean> {
    return this.isLive(jti, this.now());
  }

  async remember(jti: string, ttlMs: number): Promise<void> {
    const now = this.now();
    this.insert(jti, now + ttlMs, now);
  }

  get size(): number {
    return this.expiries.size;
  }

  /** Stops the sweep timer. */
  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private isLive(jti: string, now: number): boolean {
    const expiresAt = this.expiries.get(jti);
    if (expiresAt === undefined) return false;
    if (expiresAt > now) return true;
    this.expiries.delete(jti);
    return false;
  }

  private insert(jti: string, expiresAt: number, now: number): void {
    if (this.expiries.size >= this.maxEntries) this.trimExpiredFront(now);
    if (this.expiries.size >= this.maxEntries) this.sweep(now);
    if (this.expiries.size >= this.maxEntries) {
      throw new Error('The in-memory replay cache is full of live token ids.');
    }
    this.expiries.delete(jti);
    this.expiries.set(jti, expiresAt);
    this.startSweeping();
  }

  /** Entries are mostly inserted in expiry order, so the oldest expired ones sit at the front. */
  private trimExpiredFront(now: number): void {
    for (const [jti, expiresAt] of this.expiries) {
      if (expiresAt > now) return;
      this.expiries.delete(jti);
    }
  }

  private sweep(now: number): void {
    for (const [jti, expiresAt] of this.expiries) {
      if (expiresAt <= now) this.expiries.delete(jti);
    }
  }

  private startSweeping(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.sweep(this.now()), this.sweepIntervalMs);
    this.timer.unref();
  }
}
