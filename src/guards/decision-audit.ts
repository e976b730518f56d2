import { type HttpException, Logger } from '@nestjs/common';
import type { AuditEmitter } from '../audit/audit-emitter.js';
import type { IamAuditDetail, IamAuditEventName } from '../audit/audit-event.js';
import type { ValidatedIamOptions } from '../config/module-options.js';
import type { IamErrorCode } from '../errors/error-codes.js';
import { mapIamError } from '../errors/error-mapping.js';
import { IamHttpError, IamUpstreamUnavailableError } from '../errors/iam-errors.js';
import { type ContextRequest, setResponseHeader } from '../request/execution-context.js';
import type { DecisionKind, IamTelemetry } from '../telemetry/iam-telemetry.js';

const logger = new Logger('IamGuard');

/** Where a decision is recorded: the audit sink, and the `iam.decisions` metric. */
export interface DecisionSinks {
  readonly audit: AuditEmitter;
  readonly telemetry?: IamTelemetry;
}

/** Which guard's decision an audit event or code is about, for the metric. */
function decisionKindOf(name: string): DecisionKind {
  if (name.startsWith('authz.role.')) return 'role';
  if (name.startsWith('authz.permission.')) return 'permission';
  return 'authenticate';
}

/** Who and where a decision was about. */
export interface DecisionContext {
  readonly found: ContextRequest | undefined;
  readonly tenant?: string;
  readonly subject?: string;
}

/** What a guard decides with: where decisions are recorded, and how errors are answered. */
export interface DecisionRuntime extends DecisionSinks {
  readonly options: Pick<ValidatedIamOptions, 'errors'>;
}

/**
 * The exception a guard throws for `rejection`: the app's own, by `errors.map`, on an HTTP
 * request; the library's error itself elsewhere. A GraphQL error keeps the library's, whose
 * `extensions` carry the `code` whatever the app's HTTP shape is; so does a WebSocket message,
 * whose client gets the `code` from `IamWsExceptionFilter` and whose connection SessionGuard
 * closes on a failed authentication.
 */
export function answerFor(
  runtime: DecisionRuntime,
  rejection: IamHttpError,
  found: ContextRequest | undefined,
): HttpException {
  if (found === undefined || found.graphqlArgs !== undefined || found.ws !== undefined) {
    return rejection;
  }
  return mapIamError(rejection, runtime.options.errors.map, found.request);
}

/**
 * Emits one audit event for a decision, with the request's route, method and request id, and
 * counts it.
 */
export function recordDecision(
  { audit, telemetry }: DecisionSinks,
  name: IamAuditEventName,
  context: DecisionContext,
  detail?: IamAuditDetail,
  code?: IamErrorCode,
): void {
  telemetry?.count({
    tenant: context.tenant,
    decision: decisionKindOf(name),
    outcome: name === 'auth.anonymous' ? 'anonymous' : name.endsWith('.deny') ? 'deny' : 'allow',
    code,
  });
  if (!audit.accepts(name)) return;
  const request = context.found?.request;
  audit.emit({
    name,
    code,
    tenant: context.tenant,
    subject: context.subject,
    route: request?.path,
    method: request?.method,
    requestId: request?.header('x-request-id'),
    detail,
  });
}

/**
 * Turns anything thrown on the way to a decision into a 401/403/503 the client may see, records
 * it, sets `Retry-After` on 503s, and answers it as {@link answerFor} says. An error the library
 * did not expect becomes a 503: an allow would be wrong and a 500 would hide the cause; it is
 * logged by name only, never with request data.
 */
export function rejectDecision(
  runtime: DecisionRuntime,
  error: unknown,
  context: DecisionContext,
): HttpException {
  const { audit, telemetry } = runtime;
  let rejection: IamHttpError;
  if (error instanceof IamHttpError) {
    rejection = error;
  } else {
    const kind = error instanceof Error ? error.name : typeof error;
    logger.error(`Unexpected ${kind} while authenticating; answering 503.`);
    rejection = new IamUpstreamUnavailableError();
  }
  telemetry?.count({
    tenant: context.tenant,
    decision: decisionKindOf(rejection.code),
    outcome: rejection.getStatus() === 503 ? 'unavailable' : 'deny',
    code: rejection.code,
  });
  audit.emit({
    name: rejection.code,
    tenant: context.tenant,
    subject: context.subject,
    code: rejection.code,
    route: context.found?.request.path,
    method: context.found?.request.method,
    requestId: context.found?.request.header('x-request-id'),
    // The client-facing message: fixed text, never request data. It names the likely cause,
    // e.g. of a replay (a claims template without a per-request value), as the SPEC asks. An
    // outage adds its operator-facing reason, which the client never sees.
    detail: {
      message: rejection.message,
      reason: rejection instanceof IamUpstreamUnavailableError ? rejection.reason : undefined,
    },
  });
  if (rejection instanceof IamUpstreamUnavailableError) {
    setResponseHeader(context.found?.response, 'Retry-After', String(rejection.retryAfterSeconds));
  }
  return answerFor(runtime, rejection, context.found);
}
