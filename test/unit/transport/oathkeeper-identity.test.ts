import { describe, expect, it } from 'vitest';
import { identityFromClaims } from '../../../src/transport/oathkeeper-identity.js';
import { jwtTenant } from '../jwt/verifier-fixtures.js';

const tenant = jwtTenant('http://127.0.0.1:1/jwks');

function parsedClaims(): Record<string, unknown> {
  return JSON.parse(
    '{"sub":"u1","aud":["orders-api"],"metadataPublic":{"roles":["reader"],"team":{"id":"t1"}}}',
  ) as Record<string, unknown>;
}

describe('identityFromClaims', () => {
  it('freezes the identity and every claim under it, nested objects and arrays included', () => {
    const identity = identityFromClaims(tenant, 'u1', parsedClaims(), 'oathkeeper-jwt', 5_000);
    const claims = identity.claims as Record<string, Record<string, unknown>>;
    const metadata = claims.metadataPublic as Record<string, unknown>;
    for (const value of [identity, identity.roles, claims, claims.aud, metadata, metadata.team]) {
      expect(Object.isFrozen(value)).toBe(true);
    }
    expect(() => {
      (metadata.roles as string[]).push('admin');
    }).toThrow(TypeError);
    expect(identity).toEqual({
      id: 'u1',
      kind: 'user',
      tenant: 'default',
      roles: ['reader'],
      metadataPublic: metadata,
      via: 'oathkeeper-jwt',
      expiresAt: 5_000,
      claims,
    });
  });

  it('leaves out what is absent instead of holding undefined', () => {
    const identity = identityFromClaims(tenant, 'u1', { sub: 'u1' }, 'oathkeeper-hmac');
    expect(Object.keys(identity)).toEqual(['id', 'kind', 'tenant', 'roles', 'via', 'claims']);
    expect(identity.roles).toEqual([]);
  });
});
