import { IamConfigurationError } from '../errors/iam-errors.js';
import type { OryCallPolicy } from './ory-call.js';

/**
 * Options of the service calls made from a handler, given to `forTenant(tenant, options)`:
 * every call to Ory made through the object it returns honours them.
 *
 * ```ts
 * const permissions = this.permissionService.forTenant('default', { signal, deadlineMs: 500 });
 * ```
 */
export interface IamCallOptions {
  /** Aborting it (the client went away, the handler's own deadline) cancels the calls to Ory. */
  readonly signal?: AbortSignal;
  /**
   * Budget of each call to Ory, all its attempts and retries included. Default: the tenant's
   * `http.deadlineMs`.
   */
  readonly deadlineMs?: number;
}

/** The tenant's policy with the caller's options applied; a bad `deadlineMs` throws at once. */
export function policyWithCallOptions(
  policy: OryCallPolicy,
  { signal, deadlineMs }: IamCallOptions,
): OryCallPolicy {
  if (deadlineMs !== undefined && (!Number.isSafeInteger(deadlineMs) || deadlineMs < 1)) {
    throw new IamConfigurationError([
      `deadlineMs: must be a positive integer (milliseconds), got ${String(deadlineMs)}`,
    ]);
  }
  return {
    ...policy,
    signal: signal ?? policy.signal,
    deadlineMs: deadlineMs ?? policy.deadlineMs,
  };
}
