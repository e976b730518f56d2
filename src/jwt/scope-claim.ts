import { malformed } from './compact-jws.js';

/**
 * The scopes a machine caller's token grants: Hydra writes `scp` (an array), RFC 9068 and
 * Oathkeeper's service rules write `scope` (space-separated). Either, and a wrong type is a 401
 * `auth.failure.malformed`, never an empty grant.
 */
export function scopeFromClaims(claims: Readonly<Record<string, unknown>>): readonly string[] {
  const { scp, scope } = claims;
  if (scp !== undefined) {
    if (!Array.isArray(scp) || !scp.every((entry) => typeof entry === 'string')) {
      throw malformed('scp is not an array of strings');
    }
    return scp;
  }
  if (scope === undefined) return [];
  if (typeof scope !== 'string') throw malformed('scope is not a string');
  return scope.split(' ').filter((entry) => entry !== '');
}
