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
