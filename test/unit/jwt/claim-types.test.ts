import { describe, expect, it } from 'vitest';
import { checkClaimTypes } from '../../../src/jwt/claim-types.js';
import { expectCode } from './codes.js';

const NOW = 1_700_000_000;
const SKEW = 30;
const VALID = { sub: 'alice', exp: NOW + 60, iat: NOW, nbf: NOW, jti: 'j1', iss: 'https://ok' };

const check = (claims: Record<string, unknown>) => checkClaimTypes(claims, NOW, SKEW);
const malformed = (claims: Record<string, unknown>) =>
  expectCode(() => check(claims), 'auth.failure.malformed');

describe('checkClaimTypes', () => {
  it('returns the typed registered claims', () => {
    expect(check({ ...VALID, aud: 'orders' })).toEqual({
      sub: 'alice',
      exp: NOW + 60,
      iat: NOW,
      nbf: NOW,
      jti: 'j1',
      iss: 'https://ok',
      aud: ['orders'],
    });
  });

  it('accepts a token with only sub and exp', () => {
    expect(check({ sub: 'alice', exp: NOW + 1 })).toMatchObject({
      nbf: undefined,
      iat: undefined,
      jti: undefined,
      iss: undefined,
      aud: [],
    });
  });

  it('requires exp and sub', async () => {
    expect((await malformed({ sub: 'alice' })).message).toContain('exp');
    expect((await malformed({ exp: NOW + 60 })).message).toContain('sub');
  });

  it.each([
    ['exp', '1700000060'],
    ['exp', null],
    ['exp', true],
    ['exp', [NOW + 60]],
    ['exp', { value: NOW + 60 }],
    ['nbf', String(NOW)],
    ['nbf', null],
    ['iat', String(NOW)],
    ['iat', false],
  ])('refuses %s = %j (not a number)', async (name, value) => {
    await malformed({ ...VALID, [name]: value });
  });

  it('refuses numbers JSON turns into Infinity', async () => {
    const huge = JSON.parse('{"sub":"a","exp":1e400}') as Record<string, unknown>;
    expect(huge.exp).toBe(Number.POSITIVE_INFINITY);
    await malformed(huge);
    await malformed({ ...VALID, nbf: JSON.parse('-1e400') as number });
    await malformed({ ...VALID, iat: Number.NaN });
  });

  it('accepts huge finite numbers as numbers (the time checks judge them)', () => {
    expect(check({ ...VALID, exp: 1e300 }).exp).toBe(1e300);
  });

  it.each([
    ['sub', ''],
    ['sub', 42],
    ['sub', null],
    ['sub', ['alice']],
    ['jti', ''],
    ['jti', 7],
    ['jti', null],
    ['iss', 1],
    ['iss', null],
  ])('refuses %s = %j', async (name, value) => {
    await malformed({ ...VALID, [name]: value });
  });

  it('refuses an iat beyond the skew in the future, and accepts one within it', async () => {
    await malformed({ ...VALID, iat: NOW + SKEW + 1 });
    expect(check({ ...VALID, iat: NOW + SKEW }).iat).toBe(NOW + SKEW);
  });

  it('takes aud as a string or an array of strings only', async () => {
    expect(check({ ...VALID, aud: ['a', 'b'] }).aud).toEqual(['a', 'b']);
    expect(check({ ...VALID, aud: [] }).aud).toEqual([]);
    await malformed({ ...VALID, aud: 42 });
    await malformed({ ...VALID, aud: null });
    await malformed({ ...VALID, aud: ['a', 1] });
    await malformed({ ...VALID, aud: { orders: true } });
  });
});
