import type { JwtAlgorithm } from '../config/tenant-config.js';
import { malformed } from './compact-jws.js';
import { isSupportedAlgorithm } from './jwt-algorithms.js';

/** The header fields the verifier acts on. `jku`, `x5u`, `x5c` and `jwk` are ignored on purpose. */
export interface CheckedHeader {
  readonly alg: JwtAlgorithm;
  readonly kid: string | undefined;
}

/**
 * Accepts only the configured algorithms (never `none`, never HMAC: config validation keeps them
 * out of the list). Any `crit` entry is unknown to this verifier, so a token that marks one as
 * critical is refused (RFC 7515 §4.1.11).
 */
export function checkHeader(
  header: Readonly<Record<string, unknown>>,
  algorithms: readonly JwtAlgorithm[],
): CheckedHeader {
  const { alg, kid, crit } = header;
  if (!isSupportedAlgorithm(alg) || !algorithms.includes(alg)) {
    throw malformed('its algorithm is not accepted');
  }
  if (crit !== undefined)
    throw malformed('it has critical header parameters this verifier does not understand');
  if (kid !== undefined && (typeof kid !== 'string' || kid === '')) {
    throw malformed('its kid is not a non-empty string');
  }
  return { alg, kid };
}
