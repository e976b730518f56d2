import { hash } from 'node:crypto';

interface Entry<T> {
  readonly value: T;
  readonly expiresAt: number;
}

/**
 * Remembers tokens that passed every check, keyed by their SHA-256, until their `exp` (plus skew).
 * Oathkeeper's token cache resends one token many times; with replay protection off, those then
 * cost a hash and a lookup instead of a signature check. Never used with replay protection on.
 * Bounded: the oldest entry goes first, which only costs a re-verification.
 */
export class VerifiedTokenCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(private readonly maxEntries = 10_000) {}

  static keyOf(token: string): string {
    // One-shot: no Hash object per request, unlike createHash().update().digest().
    return hash('sha256', token, 'base64url');
  }

  get(key: string, now: number): T | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: T, expiresAt: number): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, expiresAt });
  }

  get size(): number {
    return this.entries.size;
  }
}
