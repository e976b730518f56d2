import { Logger } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuditEmitter, type AuditSink, type IamAuditEvent } from '../../../src/index.js';

describe('AuditEmitter', () => {
  afterEach(() => vi.restoreAllMocks());

  it('does not hand the sink an event it declines, and stamps the ones it takes', () => {
    const events: IamAuditEvent[] = [];
    const sink: AuditSink = {
      accepts: (name) => name !== 'auth.success',
      emit: (event) => {
        events.push(event);
      },
    };
    const audit = new AuditEmitter(sink);
    expect(audit.accepts('auth.success')).toBe(false);
    audit.emit({ name: 'auth.success', tenant: 'default' });
    audit.emit({ name: 'auth.failure.replay', tenant: 'default', code: 'auth.failure.replay' });
    expect(events.map((event) => event.name)).toEqual(['auth.failure.replay']);
    expect(Date.parse(events[0]?.timestamp ?? '')).not.toBeNaN();
  });

  it('takes every event for a sink without accepts', () => {
    const emit = vi.fn();
    const audit = new AuditEmitter({ emit });
    expect(audit.accepts('auth.success')).toBe(true);
    audit.emit({ name: 'auth.success' });
    expect(emit).toHaveBeenCalledOnce();
  });

  it('emits when accepts throws, logs the failure by name only, and never throws itself', () => {
    const error = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const emit = vi.fn();
    const audit = new AuditEmitter({
      accepts: () => {
        throw new TypeError('secret-token-value');
      },
      emit,
    });
    expect(() => audit.emit({ name: 'auth.success' })).not.toThrow();
    expect(emit).toHaveBeenCalledOnce();
    expect(error).toHaveBeenCalledWith(expect.stringContaining('TypeError'));
    expect(JSON.stringify(error.mock.calls)).not.toContain('secret-token-value');
  });
});

describe('AuditEmitter and the client-sent X-Request-Id', () => {
  const requestIdOf = (requestId: string | undefined) => {
    const events: IamAuditEvent[] = [];
    new AuditEmitter({ emit: (event) => void events.push(event) }).emit({
      name: 'auth.success',
      requestId,
    });
    return events[0]?.requestId;
  };

  it.each([
    'f47ac10b-58cc-4372-a567-0e02b2c3d479',
    'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8',
    'a'.repeat(128),
  ])('keeps a plausible request id: %s', (id) => {
    expect(requestIdOf(id)).toBe(id);
  });

  it.each([
    ['longer than 128 characters', 'a'.repeat(129)],
    ['a megabyte', 'x'.repeat(1_048_576)],
    ['a forged log line', 'abc\n{"name":"auth.success","subject":"admin"}'],
    ['spaces and quotes', 'id" "other'],
    ['empty', ''],
    ['non-ASCII', 'ïd'],
  ])('drops a request id that is %s', (_case, id) => {
    expect(requestIdOf(id)).toBeUndefined();
  });
});
