import { IamUpstreamUnavailableError } from '../../errors/iam-errors.js';
import { describeUpstreamFailure } from '../../errors/upstream-failure.js';
import { OryResponseError } from '../ory-call.js';
import { MalformedTokenAnswerError } from './token-answer.js';

/** A refusal is a configuration problem: retrying at once will not help, a rotation might. */
const REJECTED_RETRY_AFTER_SECONDS = 30;
const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;
/** Hydra's `error_description` is free text: bounded before it reaches a log line. */
const MAX_DESCRIPTION_CHARS = 200;
const OAUTH2_ERROR = /^[\x20-\x7e]{1,64}$/;

/**
 * The 503 of a failed token request, built from scratch so that nothing of the request reaches
 * it: not the SDK error (its config holds the basic credentials and the form with the secret),
 * not the answer body. Hydra down, slow or answering nonsense → `service_token.unavailable`
 * (the breaker's and bulkhead's own codes pass through); Hydra refusing (`invalid_client`,
 * `invalid_scope`, an audience the client may not ask for) → `service_token.rejected`. The
 * operator-facing `reason` is scrubbed of the secret as a last line of defence.
 */
export function hydraRefusal(
  operation: string,
  error: unknown,
  secret: string,
): IamUpstreamUnavailableError {
  if (error instanceof IamUpstreamUnavailableError) {
    if (error.code === 'upstream.circuit_open' || error.code === 'upstream.saturated') return error;
    return unavailable(error.retryAfterSeconds, error.reason ?? operation, secret);
  }
  if (error instanceof OryResponseError) {
    return new IamUpstreamUnavailableError(undefined, REJECTED_RETRY_AFTER_SECONDS, {
      code: 'service_token.rejected',
      reason: scrub(`${operation}: ${error.reason}${oauth2Error(error.body)}`, secret),
    });
  }
  if (error instanceof MalformedTokenAnswerError) {
    return unavailable(UNAVAILABLE_RETRY_AFTER_SECONDS, `${operation}: ${error.message}`, secret);
  }
  return unavailable(
    UNAVAILABLE_RETRY_AFTER_SECONDS,
    `${operation}: ${describeUpstreamFailure(error)}`,
    secret,
  );
}

function unavailable(
  retryAfterSeconds: number,
  reason: string,
  secret: string,
): IamUpstreamUnavailableError {
  return new IamUpstreamUnavailableError(undefined, retryAfterSeconds, {
    code: 'service_token.unavailable',
    reason: scrub(reason, secret),
  });
}

/** ` invalid_client: <description>` from an RFC 6749 §5.2 error answer, or nothing. */
function oauth2Error(body: unknown): string {
  if (typeof body !== 'object' || body === null) return '';
  const { error, error_description } = body as Record<string, unknown>;
  if (typeof error !== 'string' || !OAUTH2_ERROR.test(error)) return '';
  if (typeof error_description !== 'string') return ` ${error}`;
  return ` ${error}: ${error_description.slice(0, MAX_DESCRIPTION_CHARS)}`;
}

function scrub(text: string, secret: string): string {
  let scrubbed = text;
  for (const form of [secret, encodeURIComponent(secret)]) {
    scrubbed = scrubbed.split(form).join('[redacted]');
  }
  return scrubbed;
}
