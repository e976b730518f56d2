import { describe, expect, it } from 'vitest';
import { parseCompactJws } from '../../../src/jwt/compact-jws.js';
import { expectCode, segment } from './codes.js';

const HEADER = segment({ alg: 'RS256', kid: 'k1' });
const PAYLOAD = segment({ sub: 'alice', exp: 2_000_000_000 });
const SIGNATURE = Buffer.from('a signature of some bytes').toString('base64url');
const VALID = `${HEADER}.${PAYLOAD}.${SIGNATURE}`;

const malformed = (token: string, maxTokenBytes = 8_192) =>
  expectCode(() => parseCompactJws(token, maxTokenBytes), 'auth.failure.malformed');

describe('parseCompactJws', () => {
  it('splits a compact JWS and keeps the signing input exactly as received', () => {
    const jws = parseCompactJws(VALID, 8_192);
    expect(jws.header).toEqual({ alg: 'RS256', kid: 'k1' });
    expect(jws.payload).toEqual({ sub: 'alice', exp: 2_000_000_000 });
    expect(jws.signingInput).toBe(`${HEADER}.${PAYLOAD}`);
    expect(jws.signature.toString()).toBe('a signature of some bytes');
  });

  it('refuses a token above maxTokenBytes before looking at it, and accepts one exactly at it', async () => {
    await malformed(VALID, VALID.length - 1);
    expect(parseCompactJws(VALID, VALID.length).payload.sub).toBe('alice');
    const error = await malformed(`${'x'.repeat(20_000)}`, 8_192);
    expect(error.message).toContain('larger than allowed');
  });

  it.each([
    ['two segments', `${HEADER}.${PAYLOAD}`],
    ['four segments', `${VALID}.${SIGNATURE}`],
    ['a JWE-like five segments', `${HEADER}.${PAYLOAD}.a.b.c`],
    ['no dots', 'abc'],
    ['an empty string', ''],
    ['only dots', '..'],
    ['an empty header', `.${PAYLOAD}.${SIGNATURE}`],
    ['an empty payload', `${HEADER}..${SIGNATURE}`],
    ['an empty signature (alg none style)', `${HEADER}.${PAYLOAD}.`],
    ['a trailing dot', `${VALID}.`],
  ])('refuses %s', async (_name, token) => {
    await malformed(token);
  });

  it.each([
    ['base64 padding', `${HEADER}.${PAYLOAD}.${SIGNATURE}==`],
    ['padding inside the header', `${HEADER}=.${PAYLOAD}.${SIGNATURE}`],
    ['standard base64 + and /', `${HEADER}.${PAYLOAD}.ab+/cd`],
    ['a space inside', `${HEADER}.${PAYLOAD} .${SIGNATURE}`],
    ['a leading space', ` ${VALID}`],
    ['a trailing newline', `${VALID}\n`],
    [
      'a tab inside the payload',
      `${HEADER}.${PAYLOAD.slice(0, 4)}\t${PAYLOAD.slice(4)}.${SIGNATURE}`,
    ],
    ['a non-ASCII character', `${HEADER}.${PAYLOAD}.${SIGNATURE}é`],
    ['an impossible length (4n+1)', `${HEADER}.${PAYLOAD}.abcde`],
    ['non-canonical trailing bits', `${HEADER}.${PAYLOAD}.AB`],
  ])('refuses %s', async (_name, token) => {
    await malformed(token);
  });

  it.each([
    ['a header that is not JSON', `${segment('not json')}.${PAYLOAD}.${SIGNATURE}`],
    ['a payload that is not JSON', `${HEADER}.${segment('{"sub":')}.${SIGNATURE}`],
    ['a header that is a JSON array', `${segment([{ alg: 'RS256' }])}.${PAYLOAD}.${SIGNATURE}`],
    ['a payload that is a JSON array', `${HEADER}.${segment([1, 2])}.${SIGNATURE}`],
    ['a payload that is a JSON string', `${HEADER}.${segment('"alice"')}.${SIGNATURE}`],
    ['a payload that is JSON null', `${HEADER}.${segment('null')}.${SIGNATURE}`],
    ['a payload that is a JSON number', `${HEADER}.${segment('42')}.${SIGNATURE}`],
    ['a payload with a byte-order mark', `${HEADER}.${segment('\uFEFF{"sub":"a"}')}.${SIGNATURE}`],
  ])('refuses %s', async (_name, token) => {
    await malformed(token);
  });

  it('refuses a payload that is not valid UTF-8 instead of replacing the bytes', async () => {
    const invalid = Buffer.concat([
      Buffer.from('{"sub":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}'),
    ]).toString('base64url');
    const error = await malformed(`${HEADER}.${invalid}.${SIGNATURE}`);
    expect(error.message).toContain('UTF-8');
  });

  // The parser checks the unused trailing bits arithmetically; the definition it must match is
  // "decoding and re-encoding gives the same text". Every last character, at every tail length.
  it.each([
    ['4n+2', 'AA'],
    ['4n+3', 'AAA'],
    ['4n', 'AAAA'],
  ])('accepts exactly the canonical segments of length %s', (_tail, prefix) => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    let canonical = 0;
    for (const last of alphabet) {
      const signature = `${prefix.slice(0, -1)}${last}`;
      const roundTrips = Buffer.from(signature, 'base64url').toString('base64url') === signature;
      const parse = () => parseCompactJws(`${HEADER}.${PAYLOAD}.${signature}`, 8_192);
      if (roundTrips) {
        expect(parse().signature).toEqual(Buffer.from(signature, 'base64url'));
        canonical += 1;
      } else {
        expect(parse).toThrow('not canonical base64url');
      }
    }
    expect(canonical).toBe(prefix.length === 2 ? 4 : prefix.length === 3 ? 16 : 64);
  });

  // The header decoded last is kept (one entry): what a token gets from it must be what decoding
  // its own header would give, and a refused header must stay refused after a good one.
  it('gives a token with the previous header the same header, frozen, and refuses the rest as before', async () => {
    const first = parseCompactJws(VALID, 8_192);
    const second = parseCompactJws(
      `${HEADER}.${segment({ sub: 'bob', exp: 1 })}.${SIGNATURE}`,
      8_192,
    );
    expect(second.header).toBe(first.header);
    expect(second.header).toEqual({ alg: 'RS256', kid: 'k1' });
    expect(Object.isFrozen(second.header)).toBe(true);
    expect(second.payload).toEqual({ sub: 'bob', exp: 1 });

    const other = segment({ alg: 'ES256', kid: 'k2', crit: ['b64'] });
    const third = parseCompactJws(`${other}.${PAYLOAD}.${SIGNATURE}`, 8_192);
    expect(third.header).toEqual({ alg: 'ES256', kid: 'k2', crit: ['b64'] });
    expect(Object.isFrozen(third.header.crit)).toBe(true);
    expect(parseCompactJws(VALID, 8_192).header).toEqual({ alg: 'RS256', kid: 'k1' });

    await malformed(`.${PAYLOAD}.${SIGNATURE}`);
    await malformed(`${HEADER}=.${PAYLOAD}.${SIGNATURE}`);
    await malformed(`${HEADER.slice(0, -1)}.${PAYLOAD}.${SIGNATURE}`);
    await malformed(`${segment([{ alg: 'RS256' }])}.${PAYLOAD}.${SIGNATURE}`);
    // A good header after each refusal still decodes, and the payload is never taken from a cache.
    expect(parseCompactJws(VALID, 8_192).payload).toEqual({ sub: 'alice', exp: 2_000_000_000 });
    await malformed(`${HEADER}.${segment([1, 2])}.${SIGNATURE}`);
  });

  it('never echoes the token in its message', async () => {
    const secretish = segment({ sub: 'token-content-marker' });
    const error = await malformed(`${HEADER}.${secretish}`);
    expect(JSON.stringify(error.getResponse())).not.toContain(secretish);
    expect(error.getStatus()).toBe(401);
  });
});
