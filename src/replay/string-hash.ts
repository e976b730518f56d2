/**
 * Two independent 32-bit hashes of a string, together a 64-bit fingerprint, computed over its
 * UTF-16 code units without allocating. Lane A mixes like MurmurHash3's x86_32 round, lane B with
 * xxHash32's primes, so that the lanes do not collide together; both end in MurmurHash3's
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

export function hashLaneA(value: string, seed: number): number {
  let h = seed | 0;
  for (let index = 0; index < value.length; index += 1) {
    let k = Math.imul(value.charCodeAt(index), 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    h ^= k;
    h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
  }
  return finalise(h, value.length);
}

export function hashLaneB(value: string, seed: number): number {
  let h = (seed + 0x165667b1) | 0;
  for (let index = 0; index < value.length; index += 1) {
    h = (h + Math.imul(value.charCodeAt(index), 0xc2b2ae3d)) | 0;
    h = Math.imul((h << 17) | (h >>> 15), 0x27d4eb2f);
  }
  return finalise(h, value.length);
}
