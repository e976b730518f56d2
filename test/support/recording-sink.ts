import { AuditEmitter } from '../../src/audit/audit-emitter.js';
import type { IamAuditEvent, IamAuditEventName } from '../../src/audit/audit-event.js';
import type { AuditSink } from '../../src/audit/audit-sink.js';

/** Records audit events and lets a test await the next one of a name. */
export class RecordingSink implements AuditSink {
  readonly events: IamAuditEvent[] = [];
  private readonly waiters: { name: IamAuditEventName; resolve: (e: IamAuditEvent) => void }[] = [];

  emit(event: IamAuditEvent): void {
    this.events.push(event);
    const index = this.waiters.findIndex((waiter) => waiter.name === event.name);
    if (index !== -1) this.waiters.splice(index, 1)[0]?.resolve(event);
  }

  /** Resolves with the next event of this name emitted from now on. */
  next(name: IamAuditEventName): Promise<IamAuditEvent> {
    return new Promise((resolve) => this.waiters.push({ name, resolve }));
  }

  count(name: IamAuditEventName): number {
    return this.events.filter((event) => event.name === name).length;
  }

  emitter(): AuditEmitter {
    return new AuditEmitter(this);
  }
}
