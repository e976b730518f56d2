import type { IamAuditEvent } from '../../src/index.js';

/** An audit sink that keeps every event in order and lets a test await the next one by name. */
export class AuditRecorder {
  readonly events: IamAuditEvent[] = [];
  private readonly awaited: Array<{ name: string; resolve: (event: IamAuditEvent) => void }> = [];

  readonly emit = (event: IamAuditEvent): void => {
    this.events.push(event);
    for (const waiter of this.awaited.filter(({ name }) => name === event.name)) {
      this.awaited.splice(this.awaited.indexOf(waiter), 1);
      waiter.resolve(event);
    }
  };

  /** The next event named `name` emitted from now on. */
  nextEvent(name: string): Promise<IamAuditEvent> {
    return new Promise((resolve) => this.awaited.push({ name, resolve }));
  }
}
