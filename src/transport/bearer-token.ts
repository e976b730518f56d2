import { malformed } from '../jwt/compact-jws.js';

const WHITESPACE = /\s/;
const SCHEME = 'bearer';
const SPACE = 0x20;

/**
 * The length of a leading `Bearer` (in any case) and the spaces after it, 0 when there is none.
 * Compared code by code, not by a regular expression: this runs on every request, and a
 * replace copies the whole token. `| 0x20` lowers an ASCII letter and maps nothing else onto one.
 */
function schemeLength(value: string): number {
  for (let index = 0; index < SCHEME.length; index += 1) {
    if ((value.charCodeAt(index) | 0x20) !== SCHEME.charCodeAt(index)) return 0;
  }
  let end = SCHEME.length;
  while (value.charCodeAt(end) === SPACE) end += 1;
  return end === SCHEME.length ? 0 : end;
}

/**
 * The identity header without its `Bearer ` scheme (matched case-insensitively, as RFC 9110 says),
 * or the bare value; refuses an empty token. For a caller that refuses whitespace itself: a
 * compact JWS, whose parse accepts only the base64url alphabet and dots, so that a token is not
 * scanned twice on every request.
 */
export function compactTokenFromHeader(value: string): string {
  const token = value.slice(schemeLength(value));
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
