/**
 * The replay cache's 64-bit fingerprint: a collision refuses a valid token as a replay, so the
 * collision analysis (about 5e-14 per token at a million live jtis) assumes each 32-bit lane is
 * spread like a random function and the two lanes are independent. A lane that ignored part of
 * its input, or two lanes that collide together, would break that; these inputs would show it.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../../src/replay/string-hash.js';

const COUNT = 100_000;
/** Expected colliding pairs of one 32-bit lane over COUNT keys: n² / 2³³, about 1.2. */
const BIRTHDAY = COUNT ** 2 / 2 ** 33;

function collisions(keys: readonly string[], seedA: number, seedB: number) {
  const laneA = new Set<number>();
  const laneB = new Set<number>();
  const both = new Set<string>();
  const out = new Int32Array(2);
  for (const key of keys) {
    fingerprint(key, seedA, seedB, out);
    const a = out[0] as number;
    const b = out[1] as number;
    laneA.add(a);
    laneB.add(b);
    both.add(`${a}:${b}`);
  }
  return {
    a: keys.length - laneA.size,
    b: keys.length - laneB.size,
    both: keys.length - both.size,
  };
}

describe('the 64-bit fingerprint of replay keys', () => {
  it.each([
    ['UUID jtis', () => Array.from({ length: COUNT }, () => `default:${randomUUID()}`)],
    ['sequential jtis', () => Array.from({ length: COUNT }, (_, i) => `t:${i}`)],
    [
      'three-character jtis of every printable character',
      () =>
        Array.from(
          { length: COUNT },
          (_, i) =>
            `t:${String.fromCharCode(0x21 + (i % 94), 0x21 + (Math.floor(i / 94) % 94), 0x21 + Math.floor(i / 8_836))}`,
        ),
    ],
  ])('spreads %s like a random 64-bit value', (_, make) => {
    const keys = [...new Set(make())];
    const found = collisions(keys, 0x1234_5678, 0x0bad_cafe);
    expect(found.both).toBe(0);
    expect(found.a).toBeLessThan(BIRTHDAY * 5 + 10);
    expect(found.b).toBeLessThan(BIRTHDAY * 5 + 10);
  });

  it('depends on the seed, so that each process fingerprints differently', () => {
    const [one, two] = [new Int32Array(2), new Int32Array(2)];
    fingerprint('default:j', 1, 1, one);
    fingerprint('default:j', 2, 2, two);
    expect(one[0]).not.toBe(two[0]);
    expect(one[1]).not.toBe(two[1]);
  });
});
