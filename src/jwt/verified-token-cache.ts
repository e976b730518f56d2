interface Entry<T> {
  readonly token: string;
  readonly value: T;
  readonly expiresAt: number;
}

/** Characters of the token's end (its signature's) that key an entry. */
const KEY_LENGTH = 24;

/**
 * Remembers tokens that passed every check until their `exp` (plus skew). Oathkeeper's token cache
 * resends one token many times; with replay protection off, those then cost a lookup instead of a
 * signature check. Never used with replay protection on. Bounded: the oldest entry goes first,
 * which only costs a re-verification.
 *
 * Keyed by the token's last characters, which are its signature's, and exact: an entry keeps its
 * whole token and a lookup answers only for that very string. A SHA-256 of the token cost about
 * 2.5 us per lookup, and so does a map keyed by the whole token (V8 hashes all its characters);
 * the key's hash and one string comparison cost about 0.5 us. A token that shares a cached one's
 * ending (a copied signature) finds an entry that is not its own: a miss, verified in full. Only a
 * token that passed every check is stored, so two entries sharing a key means two signatures that
 * end alike; the later replaces the earlier, which is verified again on its next use.
 *
 * The price is memory: an entry holds its token (usually under 1 KB, at most `maxTokenBytes`)
 * where it held 43 characters of hash. The identity it maps to already holds the token's claims,
 * three quarters of its size decoded, so an entry at most about doubles; with the bound of 10,000
 * entries, ordinary tokens of 1 KB add about 10 MB per transport at most.
 */
export class VerifiedTokenCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(private readonly maxEntries = 10_000) {}

  get(token: string, now: number): T | undefined {
    const key = token.slice(-KEY_LENGTH);
    const entry = this.entries.get(key);
    if (entry === undefined || entry.token !== token) return undefined;
    if (entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(token: string, value: T, expiresAt: number): void {
    const key = token.slice(-KEY_LENGTH);
    if (!this.entries.has(key) && this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { token, value, expiresAt });
  }

  get size(): number {
    return this.entries.size;
  }
}
