import { Logger } from '@nestjs/common';
import type { IamAuditEvent } from './audit-event.js';

/** Receives one event per decision. Called without awaiting; a failure never changes a decision. */
export interface AuditSink {
  emit(event: IamAuditEvent): void | Promise<void>;
}

/** DI token of the {@link AuditSink}. Provide it in your app module or pass `auditSink` to `forRoot`. */
export const AUDIT_SINK = Symbol.for('nestjs-ory-iam:AUDIT_SINK');

/** The default sink: failures and denials at `warn`, everything else at `debug`, through Nest's Logger. */
export class LoggerAuditSink implements AuditSink {
  private readonly logger = new Logger('IamAudit');

  emit(event: IamAuditEvent): void {
    const line = JSON.stringify(event);
    if (event.code !== undefined) {
      this.logger.warn(line);
    } else {
      this.logger.debug(line);
    }
  }
}
