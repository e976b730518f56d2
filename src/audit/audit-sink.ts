import { Logger } from '@nestjs/common';
import type { IamAuditEvent, IamAuditEventName } from './audit-event.js';

/** Receives one event per decision. Called without awaiting; a failure never changes a decision. */
export interface AuditSink {
  emit(event: IamAuditEvent): void | Promise<void>;
  /**
   * Optional: false for events this sink would discard, which the library then does not build.
   * Asked before every event, so keep it cheap; without it every event is built and emitted.
   */
  accepts?(name: IamAuditEventName): boolean;
}

/** DI token of the {@link AuditSink}. Provide it in your app module or pass `auditSink` to `forRoot`. */
export const AUDIT_SINK = Symbol.for('nestjs-ory-iam:AUDIT_SINK');

/** Events of the normal course of things, logged at `debug`; every other event is at `warn`. */
const ROUTINE_EVENTS: ReadonlySet<IamAuditEventName> = new Set<IamAuditEventName>([
  'auth.success',
  'auth.anonymous',
  'authz.role.allow',
  'authz.permission.allow',
  'jwks.refresh.success',
]);

/**
 * The answer for the levels array it was computed from. Asked on every decision (about 0.4 us for
 * Nest's two lookups each time), while the levels change only when the app configures its logger:
 * Nest replaces `Logger.logLevels` then (`overrideLogger`), it never edits the array in place.
 */
let answered: { readonly levels: readonly string[] | undefined; readonly debugIsOff: boolean } = {
  levels: undefined,
  debugIsOff: false,
};

/**
 * True when the app configured Nest's log levels and `debug` is not among them. Nest answers
 * `isLevelEnabled` false for every level when none were configured (the default app prints every
 * level) and when a custom logger replaced Nest's; `fatal` is enabled whenever any level is
 * configured, so it tells the two apart.
 */
function debugIsOff(): boolean {
  const levels = (Logger as unknown as { logLevels?: readonly string[] }).logLevels;
  if (levels !== answered.levels) {
    answered = {
      levels,
      debugIsOff: Logger.isLevelEnabled('fatal') && !Logger.isLevelEnabled('debug'),
    };
  }
  return answered.debugIsOff;
}

/**
 * The default sink, through Nest's Logger, one JSON line per event: successes and allows at
 * `debug`, failures and denials at `warn`. When the app's log levels leave out `debug`, it
 * declines successes and allows, so they are not even built: they are most of the traffic.
 */
export class LoggerAuditSink implements AuditSink {
  private readonly logger = new Logger('IamAudit');

  accepts(name: IamAuditEventName): boolean {
    return !ROUTINE_EVENTS.has(name) || !debugIsOff();
  }

  emit(event: IamAuditEvent): void {
    if (!ROUTINE_EVENTS.has(event.name)) {
      this.logger.warn(JSON.stringify(event));
    } else if (!debugIsOff()) {
      this.logger.debug(JSON.stringify(event));
    }
  }
}
