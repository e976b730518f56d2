import type { IamErrorCode } from '../errors/error-codes.js';

/** Every audit event name the library emits. */
export const IAM_AUDIT_EVENTS = [
  'auth.success',
  'auth.anonymous',
  'auth.failure.missing_credentials',
  'auth.failure.malformed',
  'auth.failure.invalid_signature',
  'auth.failure.expired',
  'auth.failure.not_yet_valid',
  'auth.failure.issuer_mismatch',
  'auth.failure.audience_mismatch',
  'auth.failure.replay',
  'auth.failure.session_inactive',
  'auth.failure.unsupported_context',
  'auth.tenant_mismatch',
  'auth.tenant_unknown',
  'auth.upstream_unavailable',
  'auth.replay_capacity_exceeded',
  'auth.replay_state_lost',
  'authz.role.allow',
  'authz.role.deny',
  'authz.permission.allow',
  'authz.permission.deny',
  'authz.permission.unresolved',
  'authz.aal.insufficient',
  'authz.service.allow',
  'authz.scope.deny',
  'authz.service.deny',
  'authz.caller_kind.deny',
  'auth.csrf.origin_mismatch',
  'jwks.refresh.success',
  'jwks.refresh.failure',
  'request.invalid_id',
  'upstream.circuit_open',
  'upstream.saturated',
  'upstream.breaker.opened',
  'upstream.breaker.half_opened',
  'upstream.breaker.closed',
  'service_token.unavailable',
  'service_token.rejected',
] as const;

export type IamAuditEventName = (typeof IAM_AUDIT_EVENTS)[number];

/** Values an audit event may carry in `detail`. Never a token, cookie or secret. */
export type IamAuditDetail = Readonly<Record<string, string | number | boolean | undefined>>;

/** One decision, as handed to the {@link AuditSink}. */
export interface IamAuditEvent {
  readonly name: IamAuditEventName;
  /** ISO-8601 time of the decision. */
  readonly timestamp: string;
  readonly tenant?: string;
  readonly subject?: string;
  /** Path of the request without its query string. */
  readonly route?: string;
  readonly method?: string;
  readonly code?: IamErrorCode;
  /**
   * From `X-Request-Id` when the client or a gateway sent one that is 1 to 128 characters of
   * letters, digits and `-_.:;=+/@`; any other value is left out.
   */
  readonly requestId?: string;
  readonly detail?: IamAuditDetail;
}
