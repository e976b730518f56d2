import { Logger } from '@nestjs/common';
import { IamUpstreamUnavailableError } from '../../errors/iam-errors.js';
import { MalformedAnswerError } from '../malformed-answer.js';
import { OryResponseError } from '../ory-call.js';

const logger = new Logger('IamKeto');

/**
 * Keto refused a `PermissionService` call as invalid (400) or about something it does not know
 * (404, e.g. a namespace missing from its config). A programming or deployment error, not an
 * outage: retrying will not help. `reason` is Keto's own explanation.
 */
export class IamPermissionRequestError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly reason: string,
  ) {
    super(`${operation} was refused by Keto (${status}): ${reason}`);
    this.name = 'IamPermissionRequestError';
  }
}

function reasonOf(body: unknown): string {
  if (typeof body !== 'object' || body === null) return 'no reason given';
  const record = body as Record<string, unknown>;
  const error =
    typeof record.error === 'object' && record.error !== null
      ? (record.error as Record<string, unknown>)
      : record;
  for (const key of ['reason', 'message']) {
    if (typeof error[key] === 'string' && error[key] !== '') return error[key];
  }
  return 'no reason given';
}

/**
 * Keto answered 2xx with a body that is not the documented shape (no boolean `allowed`, batch
 * `results` of the wrong length, ...): a broken upstream or something in between, never a decision.
 */
export class KetoMalformedAnswerError extends MalformedAnswerError {
  constructor(
    readonly operation: string,
    readonly problem: string,
  ) {
    super(`malformed answer from Keto (${operation}): ${problem}`);
    this.name = 'KetoMalformedAnswerError';
  }
}

/**
 * What a failed Keto call means to the caller: 400/404 → {@link IamPermissionRequestError}; Keto
 * refusing the library's own credentials (401/403), any other unexpected answer and a malformed
 * answer are deployment problems, logged and answered as a 503 with the cause as its `reason`.
 * Outages already are 503s (from `callOry`).
 */
export function ketoCallFailure(operation: string, error: unknown): unknown {
  if (error instanceof KetoMalformedAnswerError) {
    logger.warn(`${error.message}; answering 503.`);
    return new IamUpstreamUnavailableError('Keto answered unexpectedly.', undefined, {
      reason: error.message,
    });
  }
  if (!(error instanceof OryResponseError)) return error;
  if (error.status === 400 || error.status === 404) {
    return new IamPermissionRequestError(operation, error.status, reasonOf(error.body));
  }
  const reason = `${operation}: ${error.reason}`;
  if (error.status === 401 || error.status === 403) {
    logger.error(`Keto refused ${operation} (${error.reason}); check keto.adminToken.`);
  } else {
    logger.warn(`Keto answered ${operation} unexpectedly (${error.reason}); answering 503.`);
  }
  return new IamUpstreamUnavailableError('Keto answered unexpectedly.', undefined, { reason });
}
