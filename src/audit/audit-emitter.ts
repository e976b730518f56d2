import { Logger } from '@nestjs/common';
import type { IamAuditEvent, IamAuditEventName } from './audit-event.js';
import type { AuditSink } from './audit-sink.js';
import { auditableRequestId } from './request-id.js';

type AuditInput = Omit<IamAuditEvent, 'timestamp'>;

/**
 * Hands events to the sink without awaiting it. A sink that throws or rejects is logged once per
 * failure and never reaches the decision path.
 */
export class AuditEmitter {
  private readonly logger = new Logger('IamAudit');

  constructor(private readonly sink: AuditSink) {}

  /**
   * False when the sink declines events of this name: callers may then skip building one. A sink
   * whose `accepts` throws gets the event (and the failure is logged).
   */
  accepts(name: IamAuditEventName): boolean {
    const { sink } = this;
    if (sink.accepts === undefined) return true;
    try {
      return sink.accepts(name) !== false;
    } catch (error) {
      this.reportFailure(error);
      return true;
    }
  }

  /** The request id is the client's header: kept only when {@link auditableRequestId} allows it. */
  emit(input: AuditInput): void {
    if (!this.accepts(input.name)) return;
    const event: IamAuditEvent = {
      ...input,
      requestId: auditableRequestId(input.requestId),
      timestamp: new Date().toISOString(),
    };
    try {
      const result = this.sink.emit(event);
      if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
        (result as Promise<void>).then(undefined, (error: unknown) => this.reportFailure(error));
      }
    } catch (error) {
      this.reportFailure(error);
    }
  }

  private reportFailure(error: unknown): void {
    const reason = error instanceof Error ? error.name : typeof error;
    this.logger.error(`Audit sink failed (${reason}); the decision was not affected.`);
  }
}
