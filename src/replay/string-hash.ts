/**
 * A 64-bit fingerprint of a string: two independent 32-bit hashes over its UTF-16 code units,
 * computed in one pass without allocating. Lane A mixes like MurmurHash3's x86_32 round, lane B
 * with xxHash32's primes, so that the lanes do not collide together; both end in MurmurHash3's
 * finaliser. Not a cryptographic hash: the replay cache only fingerprints values taken from tokens
 * whose signature already held (the gateway chose them, not the client), and seeds each process
 * at random, so no one can aim collisions at it.
 */

function finalise(hash: number, length: number): number {
  let h = hash ^ length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Writes lane A to `out[0]` and lane B to `out[1]`: a reused array, so nothing is allocated. */
export function fingerprint(value: string, seedA: number, seedB: number, out: Int32Array): void {
  let a = seedA | 0;
  let b = (seedB + 0x165667b1) | 0;
  for (let index = 0; index < value.length; index += 1) {
    const code = value.charCodeAt(index);
    let k = Math.imul(code, 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    a ^= k;
    a = (Math.imul((a << 13) | (a >>> 19), 5) + 0xe6546b64) | 0;
    b = (b + Math.imul(code, 0xc2b2ae3d)) | 0;
    b = Math.imul((b << 17) | (b >>> 15), 0x27d4eb2f);
  }
  out[0] = finalise(a, value.length);
  out[1] = finalise(b, value.length);
}
