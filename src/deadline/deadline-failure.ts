import { IamUpstreamUnavailableError } from '../errors/iam-errors.js';
import { CallerGoneError, DeadlineExceededError } from './deadline.js';

/** Seconds a client is told to wait after the upstream work of its request ran out of time. */
export const DEADLINE_RETRY_AFTER_SECONDS = 5;

/** Whether `error` is the abort reason of a {@link Deadline}. */
export function isDeadlineAbort(error: unknown): error is DeadlineExceededError | CallerGoneError {
  return error instanceof DeadlineExceededError || error instanceof CallerGoneError;
}

/** The 503 of an upstream call stopped by its deadline or by its caller going away. */
export function deadlineFailure(
  operation: string,
  abort: DeadlineExceededError | CallerGoneError,
  retryAfterSeconds = DEADLINE_RETRY_AFTER_SECONDS,
  note = '',
): IamUpstreamUnavailableError {
  return new IamUpstreamUnavailableError(`${operation} is unavailable.`, retryAfterSeconds, {
    reason: `${operation}: ${abort.message}${note}`,
  });
}

/**
 * Waits for `promise` within `deadline`; a deadline that runs out first is a 503 naming
 * `operation`. Other rejections pass through unchanged.
 */
export async function withinDeadline<T>(
  operation: string,
  deadline: { race<R>(promise: Promise<R>): Promise<R> },
  promise: Promise<T>,
): Promise<T> {
  try {
    return await deadline.race(promise);
  } catch (error) {
    if (isDeadlineAbort(error)) throw deadlineFailure(operation, error);
    throw error;
  }
}
