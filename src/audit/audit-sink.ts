import { Logger } from '@nestjs/common';
import type { IamAuditEvent } from './audit-event.js';

/** Receives one event per decision. Called without awaiting; a failure never changes a decision. */
export interface AuditSink {
  emit(event: IamAuditEvent): void | Promise<void>;
}

/** DI token of the {@link AuditSink}. Provide it in your app module or pass `auditSink` to `forRoot`. */
export const AUDIT_SINK = Symbol.for('nestjs-ory-iam:AUDIT_SINK');

/**
 * True when the app configured Nest's log levels and `debug` is not among them. Nest answers
 * `isLevelEnabled` false for every level when none were configured (the default app prints every
 * level) and when a custom logger replaced Nest's; `fatal` is enabled whenever any level is
 * configured, so it tells the two apart.
 */
function debugIsOff(): boolean {
  return Logger.isLevelEnabled('fatal') && !Logger.isLevelEnabled('debug');
}

/**
 * The default sink: failures and denials at `warn`, everything else at `debug`, through Nest's
 * Logger, one JSON line per event. When the app's log levels leave out `debug`, successes are not
 * serialized at all: they are most of the traffic and would be dropped anyway.
 */
export class LoggerAuditSink implements AuditSink {
  private readonly logger = new Logger('IamAudit');

  emit(event: IamAuditEvent): void {
    if (event.code !== undefined) {
      this.logger.warn(JSON.stringify(event));
    } else if (!debugIsOff()) {
      this.logger.debug(JSON.stringify(event));
    }
  }
}
