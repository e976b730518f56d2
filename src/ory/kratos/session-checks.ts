import { Logger } from '@nestjs/common';
import {
  IamForbiddenError,
  type IamHttpError,
  IamUnauthorizedError,
  IamUpstreamUnavailableError,
} from '../../errors/iam-errors.js';
import type { IamSession, IamSessionIdentity } from './iam-session.js';
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
 * What a non-2xx answer of `/sessions/whoami` means for the caller: 401 no (or no longer a)
 * session, 403 a higher AAL is required. Anything else is a misbehaving upstream, answered as 503.
 */
export function whoamiRejection(status: number): IamHttpError {
  if (status === 401) return new IamUnauthorizedError('auth.failure.session_inactive');
  if (status === 403) return new IamForbiddenError('authz.aal.insufficient');
  logger.warn(`Kratos /sessions/whoami answered ${status}; answering 503.`);
  return new IamUpstreamUnavailableError('Kratos answered unexpectedly.');
}

/** A session body Kratos should never send: 503 (logged by kind), never an allow and never a 500. */
export function malformedSessionRejection(error: KratosSessionShapeError): IamHttpError {
  logger.warn(error.message);
  return new IamUpstreamUnavailableError('Kratos answered unexpectedly.');
}
