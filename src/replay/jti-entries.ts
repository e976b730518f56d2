import { ExpiryWheel } from './expiry-wheel.js';
import { FingerprintSet, grown } from './fingerprint-set.js';

/**
 * The token ids held by the in-memory replay cache: fingerprint, expiry and owner (who the entry
 * counts against) per id, about 32 bytes each, and an expiry wheel that releases them once their
 * second has passed. An entry can thus outlive its expiry by up to a second: it keeps refusing its
 * jti (harmless) and counting against its owner for that long.
 */
export class JtiEntries extends FingerprintSet {
  private expiries = new Float64Array(this.capacity);
  private owners = new Int32Array(this.capacity);
  private readonly wheel = new ExpiryWheel(this.capacity);
  private expiringAt = 0;

  /** `release` is told the owner of each entry that expired and is gone. */
  constructor(private readonly release: (owner: number) => void) {
    super();
  }

  /** Entries the expiry work has looked at so far; grows with entries expired, not with calls. */
  get examined(): number {
    return this.wheel.visited;
  }

  add(hi: number, lo: number, expiresAt: number, owner: number): void {
    const id = this.insert(hi, lo);
    this.expiries[id] = expiresAt;
    this.owners[id] = owner;
    this.wheel.schedule(id, expiresAt);
  }

  expiresAt(id: number): number {
    return this.expiries[id] as number;
  }

  /** A later expiry for an entry that is still held; the wheel moves it when its old bucket comes due. */
  renew(id: number, expiresAt: number): void {
    this.expiries[id] = expiresAt;
  }

  /** Releases the entries whose expiry second has passed by `now`. */
  expire(now: number): void {
    this.expiringAt = now;
    this.wheel.advance(now, this.expireOrKeep);
  }

  protected override growColumns(capacity: number): void {
    this.expiries = grown(this.expiries, capacity);
    this.owners = grown(this.owners, capacity);
    this.wheel.grow(capacity);
  }

  private readonly expireOrKeep = (id: number): void => {
    const expiresAt = this.expiries[id] as number;
    if (expiresAt > this.expiringAt) {
      this.wheel.schedule(id, expiresAt);
      return;
    }
    const owner = this.owners[id] as number;
    this.remove(id);
    this.release(owner);
  };
}
