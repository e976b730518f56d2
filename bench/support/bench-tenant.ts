/** The Oathkeeper every bench verifies tokens from, and the claims its tokens carry. */

import type { OathkeeperConfig } from '../../src/config/tenant-config.js';

export const ISSUER = 'https://oathkeeper.bench/';
export const AUDIENCE = 'orders-api';

/** Oathkeeper JWT settings: the bench issuer and audience, the token in `Authorization`. */
export function benchOathkeeper(
  jwksUrl: string,
  replayProtection: OathkeeperConfig['replayProtection'],
  clockSkewMs?: number,
): OathkeeperConfig {
  return {
    verifier: 'jwt',
    jwks: { url: jwksUrl },
    issuer: ISSUER,
    audience: AUDIENCE,
    // The bench mints its tokens up front, all for one subject: the age limit would expire them
    // mid-run and the subject's share of the replay cache would refuse them. Both are bounds on
    // traffic, not costs per request, so they are lifted here.
    replayProtection:
      replayProtection?.enabled === true
        ? { maxTokenAgeMs: false, maxSubjectSharePercent: 100, ...replayProtection }
        : replayProtection,
    ...(clockSkewMs === undefined ? {} : { clockSkewMs }),
    identityHeader: 'Authorization',
  };
}

/** Claims as Oathkeeper's id_token mutator sends them with the shipped claims template. */
export function benchClaims(exp?: number): Record<string, unknown> {
  return {
    iss: ISSUER,
    aud: [AUDIENCE],
    sub: 'f3c1e3a0-4d1b-4c9e-8a55-1d2f3e4a5b6c',
    tenant: 'default',
    ...(exp === undefined ? {} : { exp }),
    metadataPublic: { roles: ['orders:reader'] },
  };
}

/**
 * `count` Authorization headers, each with its own RS256 token (so its own jti), valid for an hour:
 * the pool a load generator sends from, one token per request.
 */
export function bearerPool(
  signer: { mint(claims: Record<string, unknown>): string },
  count: number,
): string[] {
  const exp = Math.floor(Date.now() / 1_000) + 3_600;
  return Array.from({ length: count }, () => `Bearer ${signer.mint(benchClaims(exp))}`);
}
