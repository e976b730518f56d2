import { Logger, NotFoundException } from '@nestjs/common';
import { IamUpstreamUnavailableError } from '../../errors/iam-errors.js';
import { OryResponseError } from '../ory-call.js';

const logger = new Logger('IamKratos');

/**
 * What a failed Kratos admin call means to the caller of a service method: an unknown id (404, or
 * 400 for an id that is not even a UUID) is a `NotFoundException`; the admin API refusing the
 * library's own credentials (401/403) is a deployment problem, logged and answered as 503 like any
 * other unexpected answer. Outages already are 503s (from `callOry`).
 */
export function adminCallFailure(operation: string, error: unknown, notFound: string): unknown {
  if (!(error instanceof OryResponseError)) return error;
  if (error.status === 404 || error.status === 400) return new NotFoundException(notFound);
  if (error.status === 401 || error.status === 403) {
    logger.error(
      `Kratos admin API refused ${operation} (${error.status}); check kratos.adminToken.`,
    );
  } else {
    logger.warn(`Kratos admin API answered ${error.status} to ${operation}; answering 503.`);
  }
  return new IamUpstreamUnavailableError('Kratos answered unexpectedly.');
}
