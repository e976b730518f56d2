import { malformed } from '../jwt/compact-jws.js';

const BEARER_PREFIX = /^bearer +/i;

/**
 * The token in an identity header: `Bearer <token>` (scheme matched case-insensitively, as RFC 9110
 * says) or the bare token. Whatever remains must be one token: any whitespace left is malformed.
 */
export function tokenFromHeader(value: string): string {
  const token = value.replace(BEARER_PREFIX, '');
  if (token === '' || /\s/.test(token))
    throw malformed('the identity header does not hold one token');
  return token;
}
