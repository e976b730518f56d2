import { type Deadline, deadlineForCall } from '../deadline/deadline.js';
import { deadlineFailure, isDeadlineAbort } from '../deadline/deadline-failure.js';
import { IamUpstreamUnavailableError } from '../errors/iam-errors.js';
import { describeUpstreamFailure } from '../errors/upstream-failure.js';
import type { AttemptFailure, UpstreamGuard } from '../resilience/upstream-guard.js';
import { MalformedAnswerError } from './malformed-answer.js';
import { retryAfterSeconds } from './retry-after.js';

/** Timeouts and retries of calls to Kratos and Keto (from the tenant's `http` config). */
export interface OryCallPolicy {
  /** Of one attempt. */
  readonly timeoutMs: number;
  readonly retries: number;
  /** Of a whole call, attempts and waits included, when no request deadline is given. */
  readonly deadlineMs: number;
  /** The caller's own signal (a service call's `signal` option): aborting it cancels the call. */
  readonly signal?: AbortSignal;
}

/** Per-call axios options handed to every `@ory/client` method. */
export interface OryRequestOptions {
  timeout: number;
  signal: AbortSignal;
}

/** The parts of an `@ory/client` (axios) response the library reads. */
export interface OryResponse<T> {
  data: T;
  status: number;
  headers: unknown;
}

/**
 * An answer from an Ory server that is neither a success nor an outage: a 4xx other than 429.
 * Callers map it to their own meaning (401 from whoami, 404 from get identity, 400 validation).
 */
export class OryResponseError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly body: unknown,
    /** For the operator: `HTTP 404 from <url without query>`. */
    readonly reason: string = `HTTP ${status}`,
  ) {
    super(`${operation} answered ${status}`);
    this.name = 'OryResponseError';
  }
}

const BACKOFF_BASE_MS = 50;
const BACKOFF_CAP_MS = 1_000;
const LONGEST_HONOURED_RETRY_AFTER_MS = 2_000;
const DEFAULT_RETRY_AFTER_SECONDS = 5;

interface FailureShape {
  isAxiosError?: unknown;
  response?: { status?: unknown; data?: unknown; headers?: unknown };
}

function responseOf(
  error: unknown,
): { status: number; data: unknown; headers: unknown } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { response } = error as FailureShape;
  if (typeof response !== 'object' || response === null) return undefined;
  return typeof response.status === 'number'
    ? { status: response.status, data: response.data, headers: response.headers }
    : undefined;
}

function jitteredBackoff(attempt: number): number {
  return Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
}

/**
 * Runs one `@ory/client` call within a deadline: the request's when a guard calls (all the
 * upstream work of a request draws from one budget), else `policy.deadlineMs` from now. Each
 * attempt is bounded by `policy.timeoutMs` and by what is left of the deadline, and is aborted at
 * once when the caller goes away. Network errors, timeouts, 5xx and 429 are outages: idempotent
 * reads are retried with jittered backoff (a 429's or 503's `Retry-After` is honoured up to 2 s)
 * only while the deadline can still hold the wait and a whole attempt; then the call fails with a
 * 503 `IamUpstreamUnavailableError` whose `Retry-After` is the upstream's (at most 60 s) or 5 s,
 * and whose `reason` says what the last attempt met. Other 4xx answers become an
 * {@link OryResponseError}. Writes are never retried: a timed-out write may have happened. With a
 * `guard`, each attempt goes through the upstream's breaker and bulkhead: their 503
 * (`upstream.circuit_open`, `upstream.saturated`) ends the call at once, without a retry.
 */
export async function callOry<T>(
  operation: string,
  policy: OryCallPolicy,
  call: (options: OryRequestOptions) => Promise<OryResponse<T>>,
  {
    idempotent,
    deadline,
    guard,
  }: { idempotent: boolean; deadline?: Deadline; guard?: UpstreamGuard },
): Promise<OryResponse<T>> {
  const budget = deadline ?? deadlineForCall(policy.deadlineMs, policy.signal);
  try {
    return await attemptWithin(operation, policy, call, idempotent, budget, guard);
  } finally {
    if (budget !== deadline) budget.dispose();
  }
}

async function attemptWithin<T>(
  operation: string,
  policy: OryCallPolicy,
  call: (options: OryRequestOptions) => Promise<OryResponse<T>>,
  idempotent: boolean,
  deadline: Deadline,
  guard: UpstreamGuard | undefined,
): Promise<OryResponse<T>> {
  const budget = deadline.signal;
  // An attempt cut short by the request (its caller gone, its deadline spent) says nothing
  // about the upstream: only the attempt's own timeout and real failures count.
  const classify = (error: unknown): AttemptFailure => {
    if (budget.aborted) return 'abandoned';
    return isOryOutage(error) ? 'outage' : 'answer';
  };
  const attempts = idempotent ? policy.retries + 1 : 1;
  let retryAfter = DEFAULT_RETRY_AFTER_SECONDS;
  let lastFailure: unknown;
  let tried = 0;
  for (let attempt = 0; attempt < attempts && !budget.aborted; attempt += 1) {
    let waitMs = jitteredBackoff(attempt);
    tried += 1;
    const timeoutMs = Math.max(1, Math.min(policy.timeoutMs, deadline.remainingMs()));
    const attemptAbort = attemptSignal(budget, timeoutMs);
    try {
      const attemptOnce = () => call({ timeout: timeoutMs, signal: attemptAbort.signal });
      return await (guard === undefined ? attemptOnce() : guard.run(attemptOnce, classify));
    } catch (error) {
      const response = responseOf(error);
      if (response !== undefined && response.status < 500 && response.status !== 429) {
        throw new OryResponseError(
          operation,
          response.status,
          response.data,
          describeUpstreamFailure(error),
        );
      }
      if (response === undefined && !isTransportFailure(error)) {
        throw error;
      }
      lastFailure = error;
      const hinted =
        response?.status === 429 || response?.status === 503
          ? retryAfterSeconds(response.headers)
          : undefined;
      if (hinted !== undefined) {
        retryAfter = Math.max(1, Math.ceil(hinted));
        if (hinted * 1_000 > LONGEST_HONOURED_RETRY_AFTER_MS) break;
        waitMs = hinted * 1_000;
      }
    } finally {
      attemptAbort.release();
    }
    if (attempt + 1 >= attempts) break;
    // A retry that the deadline would cut short only adds load: the request fails either way.
    if (deadline.remainingMs() - waitMs < policy.timeoutMs) break;
    if (!(await deadline.wait(waitMs))) break;
  }
  const attemptsNote = tried > 1 ? ` (${tried} attempts)` : '';
  if (budget.aborted && isDeadlineAbort(budget.reason)) {
    throw deadlineFailure(operation, budget.reason, retryAfter, attemptsNote);
  }
  throw new IamUpstreamUnavailableError(`${operation} is unavailable.`, retryAfter, {
    reason: `${operation}: ${describeUpstreamFailure(lastFailure)}${attemptsNote}`,
  });
}

/**
 * The signal of one attempt: aborted after `timeoutMs` or with the deadline. Its own controller
 * and timer rather than `AbortSignal.any`, whose result can be collected before it fires on
 * Node 20 (nodejs/node#57736); released when the attempt settles.
 */
function attemptSignal(
  budget: AbortSignal,
  timeoutMs: number,
): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const onAbort = (): void => controller.abort(budget.reason);
  budget.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    release() {
      clearTimeout(timer);
      budget.removeEventListener('abort', onAbort);
    },
  };
}

/** What counts towards opening a breaker: no answer, a 5xx or 429 answer, or a malformed one. */
function isOryOutage(error: unknown): boolean {
  if (error instanceof MalformedAnswerError) return true;
  const status = responseOf(error)?.status;
  return status === undefined ? isTransportFailure(error) : status >= 500 || status === 429;
}

/** Errors raised by axios for a request that got no HTTP answer (refused, reset, timed out, aborted). */
function isTransportFailure(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as FailureShape).isAxiosError === true
  );
}
