import { Logger } from '@nestjs/common';
import {
  IamForbiddenError,
  type IamHttpError,
  IamUnauthorizedError,
  IamUpstreamUnavailableError,
} from '../../errors/iam-errors.js';
import type { IamSession, IamSessionIdentity } from './iam-session.js';
import { isJsonObject, optionalDate, optionalString } from './json-values.js';
import { KratosSessionShapeError } from './session-mapping.js';

const logger = new Logger('IamKratos');

/**
 * The identity of a session that may authenticate a request: active, not past its `expires_at`,
 * and belonging to an active identity. Kratos checks this too; the library does not rely on it.
 */
export function usableSessionIdentity(
  session: IamSession,
  now: number = Date.now(),
): IamSessionIdentity {
  if (!session.active) throw new IamUnauthorizedError('auth.failure.session_inactive');
  if (session.expiresAt !== undefined && session.expiresAt.getTime() <= now) {
    throw new IamUnauthorizedError('auth.failure.session_inactive');
  }
  const identity = session.identity;
  if (identity === undefined)
    throw malformedSessionRejection(new KratosSessionShapeError('identity'));
  if (identity.state !== 'active') {
    throw new IamUnauthorizedError(
      'auth.failure.session_inactive',
      'The identity of this session is deactivated.',
    );
  }
  return identity;
}

/**
 * Throws {@link KratosSessionShapeError} unless a `/sessions/whoami` body has the documented shape
 * of everything a decision reads: a session `id`, a boolean `active`, a valid `expires_at`, an
 * `identity` with an `id` and a string `state`, and `metadata_public` (roles) absent, null or an
 * object. Kratos always sends these; without the check, a missing `active` read as a 401 and a
 * garbled `expires_at` as a session that never expires.
 */
export function assertWhoamiShape(body: unknown): void {
  if (!isJsonObject(body)) throw new KratosSessionShapeError('body');
  if (optionalString(body.id) === undefined) throw new KratosSessionShapeError('session id');
  if (typeof body.active !== 'boolean') throw new KratosSessionShapeError('active flag');
  if (optionalDate(body.expires_at) === undefined) throw new KratosSessionShapeError('expires_at');
  const { identity } = body;
  if (!isJsonObject(identity)) throw new KratosSessionShapeError('identity');
  if (optionalString(identity.id) === undefined) throw new KratosSessionShapeError('identity id');
  if (typeof identity.state !== 'string') throw new KratosSessionShapeError('identity state');
  const metadata = identity.metadata_public;
  if (metadata !== undefined && metadata !== null && !isJsonObject(metadata)) {
    throw new KratosSessionShapeError('identity metadata_public');
  }
}

/**
 * What a non-2xx answer of `/sessions/whoami` means for the caller: 401 no (or no longer a)
 * session, 403 a higher AAL is required. Anything else is a misbehaving upstream, answered as 503.
 */
export function whoamiRejection(status: number, reason = `HTTP ${status}`): IamHttpError {
  if (status === 401) return new IamUnauthorizedError('auth.failure.session_inactive');
  if (status === 403) return new IamForbiddenError('authz.aal.insufficient');
  const detail = `Kratos /sessions/whoami: ${reason}`;
  logger.warn(`${detail}; answering 503.`);
  return new IamUpstreamUnavailableError('Kratos answered unexpectedly.', undefined, {
    reason: detail,
  });
}

/** A session body Kratos should never send: 503 (logged by kind), never an allow and never a 500. */
export function malformedSessionRejection(error: KratosSessionShapeError): IamHttpError {
  const reason = `malformed answer from Kratos: ${error.message}`;
  logger.warn(`${reason} Answering 503.`);
  return new IamUpstreamUnavailableError('Kratos answered unexpectedly.', undefined, { reason });
}
