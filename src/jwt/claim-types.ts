import { malformed } from './compact-jws.js';

/** Claims after their types were checked: what the later steps may rely on. */
export interface TypedClaims {
  readonly sub: string;
  readonly exp: number;
  readonly nbf: number | undefined;
  readonly iat: number | undefined;
  readonly jti: string | undefined;
  readonly iss: string | undefined;
  readonly aud: readonly string[];
}

function optionalNumericDate(
  payload: Readonly<Record<string, unknown>>,
  name: string,
): number | undefined {
  const value = payload[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw malformed(`${name} is not a number`);
  }
  return value;
}

function optionalNonEmptyString(
  payload: Readonly<Record<string, unknown>>,
  name: string,
): string | undefined {
  const value = payload[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '')
    throw malformed(`${name} is not a non-empty string`);
  return value;
}

function audienceOf(value: unknown): readonly string[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((entry) => typeof entry === 'string')) return value;
  throw malformed('aud is neither a string nor an array of strings');
}

/**
 * Checks the registered claims' types: `exp` required and numeric, `nbf`/`iat` numeric, `sub`
 * required and `jti` a non-empty string, `iat` not in the future beyond the skew.
 */
export function checkClaimTypes(
  payload: Readonly<Record<string, unknown>>,
  nowSeconds: number,
  skewSeconds: number,
): TypedClaims {
  const exp = optionalNumericDate(payload, 'exp');
  if (exp === undefined) throw malformed('exp is missing');
  const sub = optionalNonEmptyString(payload, 'sub');
  if (sub === undefined) throw malformed('sub is missing');
  const iat = optionalNumericDate(payload, 'iat');
  if (iat !== undefined && iat > nowSeconds + skewSeconds) throw malformed('iat is in the future');
  const iss = payload.iss;
  if (iss !== undefined && typeof iss !== 'string') throw malformed('iss is not a string');
  return {
    sub,
    exp,
    nbf: optionalNumericDate(payload, 'nbf'),
    iat,
    jti: optionalNonEmptyString(payload, 'jti'),
    iss,
    aud: audienceOf(payload.aud),
  };
}
