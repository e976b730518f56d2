import { HttpIamRequest, isPlatformRequest } from '../../request/http-request.js';
import {
  type CredentialSource,
  type SessionCredential,
  sessionCredentialOf,
} from '../../transport/kratos-credentials.js';
import type { WhoamiSource } from './iam-session.js';

function requestOf(source: WhoamiSource): CredentialSource {
  if ('token' in source && typeof source.token === 'string') {
    return new HttpIamRequest({ headers: { 'x-session-token': source.token } });
  }
  if ('cookie' in source && typeof source.cookie === 'string') {
    return new HttpIamRequest({ headers: { cookie: source.cookie } });
  }
  // Express requests have a `header()` method too, but no `cookie()`: only an IamRequest has both.
  if (
    'header' in source &&
    typeof source.header === 'function' &&
    'cookie' in source &&
    typeof source.cookie === 'function'
  ) {
    return source;
  }
  if (isPlatformRequest(source)) return new HttpIamRequest(source);
  throw new TypeError('whoami needs a request, { token } or { cookie }');
}

/**
 * The session credential of a request, a token or a `Cookie` header, read like the
 * `cookie-or-bearer` transport reads it, so that it names the same session cache entry. Undefined
 * when there is none; a malformed one is a 401 `auth.failure.malformed`.
 */
export function sessionCredentialOfSource(
  source: WhoamiSource,
  cookieName: string,
): SessionCredential | undefined {
  return sessionCredentialOf(requestOf(source), 'cookie-or-bearer', cookieName);
}
