import { malformed } from '../jwt/compact-jws.js';

const BEARER_PREFIX = /^bearer +/i;
const WHITESPACE = /\s/;

/**
 * The identity header without its `Bearer ` scheme (matched case-insensitively, as RFC 9110 says),
 * or the bare value; refuses an empty token. For a caller that refuses whitespace itself: a
 * compact JWS, whose parse accepts only the base64url alphabet and dots, so that a token is not
 * scanned twice on every request.
 */
export function compactTokenFromHeader(value: string): string {
  const token = value.replace(BEARER_PREFIX, '');
  if (token === '') throw malformed('the identity header does not hold one token');
  return token;
}

/**
 * The token in an identity header: `Bearer <token>` or the bare token. Whatever remains must be one
 * token: any whitespace left is malformed.
 */
export function tokenFromHeader(value: string): string {
  const token = compactTokenFromHeader(value);
  if (WHITESPACE.test(token)) throw malformed('the identity header does not hold one token');
  return token;
}
