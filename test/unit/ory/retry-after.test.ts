import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_SECONDS, retryAfterSeconds } from '../../../src/ory/retry-after.js';

const NOW = Date.parse('2026-11-30T12:00:00Z');
const read = (value: unknown) => retryAfterSeconds({ 'retry-after': value }, NOW);

describe('retryAfterSeconds', () => {
  it('reads delta-seconds, and caps them at 60 s', () => {
    expect(read('7')).toBe(7);
    expect(read(' 0 ')).toBe(0);
    expect(read('86400')).toBe(MAX_RETRY_AFTER_SECONDS);
    expect(read('2027')).toBe(MAX_RETRY_AFTER_SECONDS);
    expect(MAX_RETRY_AFTER_SECONDS).toBe(60);
  });

  it('reads an HTTP-date (IMF-fixdate and RFC 850), capped, and a past one as 0', () => {
    expect(read('Mon, 30 Nov 2026 12:00:30 GMT')).toBe(30);
    expect(read('Monday, 30-Nov-26 12:00:10 GMT')).toBe(10);
    expect(read('Fri, 01 Jan 2027 00:00:00 GMT')).toBe(60);
    expect(read('Sun, 06 Nov 1994 08:49:37 GMT')).toBe(0);
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['negative', '-5'],
    ['fractional', '1.5'],
    ['exponent', '1e3'],
    ['a date without GMT', '2027-01-01T00:00:00Z'],
    ['an impossible date', 'Mon, 99 Nov 2026 12:00:30 GMT'],
    ['not a string', 5],
  ])('ignores a value that is %s', (_case, value) => {
    expect(read(value)).toBeUndefined();
  });

  it('ignores headers that are not an object', () => {
    expect(retryAfterSeconds(undefined)).toBeUndefined();
    expect(retryAfterSeconds('retry-after: 5')).toBeUndefined();
  });
});
