import { describe, expect, it } from 'vitest';
import { VerifiedTokenCache } from '../../../src/jwt/verified-token-cache.js';

// Entries are keyed by the token's ending: these share theirs and differ before it.
const SIGNATURE = 'c2lnbmF0dXJlLW9mLXRoZS10b2tlbi10aGF0LXdhcy12ZXJpZmllZA';
const TOKEN = `eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.${SIGNATURE}`;
const SAME_ENDING = `eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtYWxsb3J5In0.${SIGNATURE}`;

describe('VerifiedTokenCache', () => {
  it('answers only for the very token stored, not for another with the same ending', () => {
    const cache = new VerifiedTokenCache<string>();
    cache.set(TOKEN, 'alice', 1_000);
    expect(cache.get(TOKEN, 0)).toBe('alice');
    // An equal string built elsewhere is the same token.
    expect(cache.get(`${TOKEN.slice(0, 10)}${TOKEN.slice(10)}`, 0)).toBe('alice');
    expect(cache.get(SAME_ENDING, 0)).toBeUndefined();
    expect(cache.get(`x${TOKEN}`, 0)).toBeUndefined();
    expect(cache.get(TOKEN.slice(1), 0)).toBeUndefined();
  });

  it('forgets an entry at its expiry', () => {
    const cache = new VerifiedTokenCache<string>();
    cache.set(TOKEN, 'alice', 1_000);
    expect(cache.get(TOKEN, 999)).toBe('alice');
    expect(cache.get(TOKEN, 1_000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keeps one of two tokens that end alike: the later, and never answers one for the other', () => {
    const cache = new VerifiedTokenCache<string>();
    cache.set(TOKEN, 'alice', 1_000);
    cache.set(SAME_ENDING, 'mallory', 1_000);
    expect(cache.get(SAME_ENDING, 0)).toBe('mallory');
    expect(cache.get(TOKEN, 0)).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  it('holds at most maxEntries, dropping the oldest first', () => {
    const cache = new VerifiedTokenCache<number>(3);
    const tokens = [1, 2, 3, 4].map((n) => `header.payload.signature-number-${n}-of-the-test`);
    for (const [index, token] of tokens.entries()) cache.set(token, index, 1_000);
    expect(cache.size).toBe(3);
    expect(cache.get(tokens[0] as string, 0)).toBeUndefined();
    expect(tokens.slice(1).map((token) => cache.get(token, 0))).toEqual([1, 2, 3]);
  });
});
