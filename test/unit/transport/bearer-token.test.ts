import { describe, expect, it } from 'vitest';
import { IamUnauthorizedError } from '../../../src/errors/iam-errors.js';
import { compactTokenFromHeader, tokenFromHeader } from '../../../src/transport/bearer-token.js';

describe('compactTokenFromHeader', () => {
  it.each([
    ['Bearer a.b.c', 'a.b.c'],
    ['bearer a.b.c', 'a.b.c'],
    ['BEARER a.b.c', 'a.b.c'],
    ['bEaReR a.b.c', 'a.b.c'],
    ['Bearer    a.b.c', 'a.b.c'],
    ['a.b.c', 'a.b.c'],
  ])('takes the token out of %j', (header, token) => {
    expect(compactTokenFromHeader(header)).toBe(token);
  });

  // Only `Bearer` and spaces are the scheme: anything else stays for the parse to refuse.
  it.each([
    ['no space after the scheme', 'Bearera.b.c'],
    ['the scheme alone', 'Bearer'],
    ['a tab, not a space', 'Bearer\ta.b.c'],
    ['a shorter scheme', 'Beare a.b.c'],
    ['a letter one bit off', 'Bearep a.b.c'],
    ['a non-ASCII letter whose low byte is one of the scheme', '\u0142earer a.b.c'],
    ['a leading space', ' Bearer a.b.c'],
  ])('leaves the value whole with %s', (_case, header) => {
    expect(compactTokenFromHeader(header)).toBe(header);
  });

  it.each(['', 'Bearer ', 'bearer   '])('refuses %j: no token', (header) => {
    expect(() => compactTokenFromHeader(header)).toThrow(IamUnauthorizedError);
  });
});

describe('tokenFromHeader', () => {
  it('refuses whitespace left in the token', () => {
    expect(() => tokenFromHeader('Bearer a.b.c d')).toThrow(IamUnauthorizedError);
    expect(() => tokenFromHeader('Bearer\ta.b.c')).toThrow(IamUnauthorizedError);
  });

  it('takes the token out of a Bearer header', () => {
    expect(tokenFromHeader('bearer  a.b.c')).toBe('a.b.c');
  });
});
