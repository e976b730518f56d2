import type { TransportKind } from '../config/tenant-config.js';
import { IamUnauthorizedError } from '../errors/iam-errors.js';
import type { IamRequest } from '../request/iam-request.js';

/** The transports that read a Kratos session credential from the request. */
export type KratosTransportKind = Exclude<TransportKind, 'oathkeeper'>;

/** A Kratos session credential taken from a request: the session cookie's value or a session token. */
export type SessionCredential =
  | { readonly kind: 'cookie'; readonly value: string }
  | { readonly kind: 'token'; readonly value: string };

/** The parts of a request a credential is read from. */
export type CredentialSource = Pick<IamRequest, 'header' | 'cookie'>;

/** Browsers cap a cookie at 4096 bytes; Kratos tokens are far shorter. */
const MAX_CREDENTIAL_LENGTH = 4_096;
/** RFC 6265 cookie-octet: what may be put back into a `Cookie` header unchanged. */
const COOKIE_VALUE = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]+$/;
/** RFC 6750 b64token, the syntax of a bearer token (Kratos tokens are `ory_st_` + alphanumerics). */
const SESSION_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const BEARER = /^bearer(?:[ \t]+(.*))?$/is;

function malformed(): IamUnauthorizedError {
  return new IamUnauthorizedError('auth.failure.malformed');
}

function checked(value: string, syntax: RegExp): string {
  if (value.length > MAX_CREDENTIAL_LENGTH || !syntax.test(value)) throw malformed();
  return value;
}

/** The session cookie; an empty one counts as absent, one that could not be forwarded as-is is malformed. */
export function sessionCookieOf(
  request: CredentialSource,
  cookieName: string,
): SessionCredential | undefined {
  const value = request.cookie(cookieName);
  if (value === undefined || value === '') return undefined;
  return { kind: 'cookie', value: checked(value, COOKIE_VALUE) };
}

function bearerTokenOf(request: CredentialSource): string | undefined {
  const authorization = request.header('authorization');
  if (authorization === undefined) return undefined;
  const bearer = BEARER.exec(authorization.trim());
  if (bearer === null) return undefined;
  const token = bearer[1]?.trim() ?? '';
  if (token === '') throw malformed();
  return checked(token, SESSION_TOKEN);
}

/**
 * A session token from `X-Session-Token` or `Authorization: Bearer`. Another `Authorization`
 * scheme is not a session credential; two different tokens in the two headers are malformed,
 * rather than guessing which one the client meant.
 */
export function sessionTokenOf(request: CredentialSource): SessionCredential | undefined {
  const header = request.header('x-session-token')?.trim();
  const fromHeader =
    header === undefined || header === '' ? undefined : checked(header, SESSION_TOKEN);
  const fromBearer = bearerTokenOf(request);
  if (fromHeader !== undefined && fromBearer !== undefined && fromHeader !== fromBearer) {
    throw malformed();
  }
  const token = fromHeader ?? fromBearer;
  return token === undefined ? undefined : { kind: 'token', value: token };
}

/**
 * The credential the tenant's transport accepts, or undefined when the request carries none.
 * With `cookie-or-bearer` both are read (either being malformed fails the request) and the token
 * wins: it is what a non-browser client set on purpose, while the cookie rides along on its own.
 */
export function sessionCredentialOf(
  request: CredentialSource,
  transport: KratosTransportKind,
  cookieName: string,
): SessionCredential | undefined {
  switch (transport) {
    case 'cookie':
      return sessionCookieOf(request, cookieName);
    case 'bearer':
      return sessionTokenOf(request);
    case 'cookie-or-bearer': {
      const token = sessionTokenOf(request);
      const cookie = sessionCookieOf(request, cookieName);
      return token ?? cookie;
    }
  }
}
