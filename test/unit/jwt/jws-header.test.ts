import { describe, expect, it } from 'vitest';
import type { JwtAlgorithm } from '../../../src/config/tenant-config.js';
import { checkHeader } from '../../../src/jwt/jws-header.js';
import { expectCode } from './codes.js';

const RS256_ONLY: readonly JwtAlgorithm[] = ['RS256'];

const malformed = (header: Record<string, unknown>, algorithms = RS256_ONLY) =>
  expectCode(() => checkHeader(header, algorithms), 'auth.failure.malformed');

describe('checkHeader', () => {
  it('returns the algorithm and kid of an accepted header', () => {
    expect(checkHeader({ alg: 'RS256', kid: 'k1', typ: 'JWT' }, RS256_ONLY)).toEqual({
      alg: 'RS256',
      kid: 'k1',
    });
    expect(checkHeader({ alg: 'ES256' }, ['RS256', 'ES256'])).toEqual({
      alg: 'ES256',
      kid: undefined,
    });
  });

  it.each([
    'none',
    'None',
    'NONE',
    'HS256',
    'HS384',
    'HS512',
    'hs256',
    'RS1',
    'rs256',
    'RSA-OAEP',
    'dir',
    '',
  ])('refuses alg %s', async (alg) => {
    await malformed({ alg, kid: 'k1' }, ['RS256', 'PS256', 'ES256', 'EdDSA']);
  });

  it('refuses a missing or non-string alg', async () => {
    await malformed({ kid: 'k1' });
    await malformed({ alg: null });
    await malformed({ alg: ['RS256'] });
    await malformed({ alg: { name: 'RS256' } });
  });

  it('refuses a real algorithm the tenant did not configure', async () => {
    await malformed({ alg: 'ES256' }, RS256_ONLY);
    await malformed({ alg: 'PS256' }, RS256_ONLY);
    await malformed({ alg: 'RS256' }, ['ES256']);
  });

  it('refuses an alg inherited from the prototype chain', async () => {
    await malformed({ alg: 'toString' });
    await malformed({ alg: '__proto__' });
  });

  it.each([[['exp']], [['b64']], [[]], ['b64'], [null]])(
    'refuses crit %j: no extension is understood',
    async (crit) => {
      await malformed({ alg: 'RS256', crit, exp: 1 });
    },
  );

  it.each([[''], [42], [null], [['k1']], [{ id: 'k1' }]])('refuses kid %j', async (kid) => {
    await malformed({ alg: 'RS256', kid });
  });

  it('ignores jku, x5u, x5c and an embedded jwk: keys only ever come from the JWKS', () => {
    const header = {
      alg: 'RS256',
      kid: 'k1',
      jku: 'https://attacker.example/jwks.json',
      x5u: 'https://attacker.example/cert.pem',
      x5c: ['MIIB...'],
      jwk: { kty: 'RSA', n: 'AQAB', e: 'AQAB' },
    };
    expect(checkHeader(header, RS256_ONLY)).toEqual({ alg: 'RS256', kid: 'k1' });
  });
});
