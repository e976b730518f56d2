import { Logger, NotFoundException } from '@nestjs/common';
import { IamUpstreamUnavailableError } from '../../errors/iam-errors.js';
import { OryResponseError } from '../ory-call.js';

const logger = new Logger('IamKratos');

/** What an admin call was looking up, for the 404's stable `code`. */
export type AdminResource = 'session' | 'identity';

const NOT_FOUND_MESSAGES: Readonly<Record<AdminResource, string>> = {
  session: 'Session not found.',
  identity: 'Identity not found.',
};

/**
 * What a failed Kratos admin call means to the caller of a service method: an unknown id (404) is
 * a 404 `session.not_found` / `identity.not_found` (`{ statusCode, code, message }`, like every
 * error of the library); the admin API refusing the library's own credentials (401/403) is a
 * deployment problem, logged and answered as 503 like any other unexpected answer (a 400 too:
 * ids and arguments are checked before the call, so Kratos refusing one is not the caller's
 * fault). Outages already are 503s (from `callOry`).
 */
export function adminCallFailure(
  operation: string,
  error: unknown,
  notFound: AdminResource,
): unknown {
  if (!(error instanceof OryResponseError)) return error;
  if (error.status === 404)
    return new NotFoundException({
      statusCode: 404,
      code: `${notFound}.not_found`,
      message: NOT_FOUND_MESSAGES[notFound],
    });
  if (error.status === 401 || error.status === 403) {
    logger.error(
      `Kratos admin API refused ${operation} (${error.status}); check kratos.adminToken.`,
    );
  } else {
    logger.warn(`Kratos admin API answered ${error.status} to ${operation}; answering 503.`);
  }
  return new IamUpstreamUnavailableError('Kratos answered unexpectedly.');
}
