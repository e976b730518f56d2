import { Logger, type LogLevel } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type IamAuditEvent, LoggerAuditSink } from '../../../src/index.js';

const success: IamAuditEvent = {
  name: 'auth.success',
  timestamp: '2026-11-23T00:00:00.000Z',
  tenant: 'default',
  subject: 'alice',
};
const denial: IamAuditEvent = {
  name: 'authz.role.deny',
  timestamp: '2026-11-23T00:00:00.000Z',
  code: 'authz.role.deny',
};

// Nest keeps the configured levels in a static; put back what the app had (none).
const configure = (levels: LogLevel[] | undefined) =>
  ((Logger as unknown as { logLevels?: LogLevel[] }).logLevels = levels);

describe('LoggerAuditSink', () => {
  afterEach(() => {
    configure(undefined);
    vi.restoreAllMocks();
  });

  function spies() {
    return {
      debug: vi.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined),
      warn: vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined),
    };
  }

  it('logs successes at debug and failures at warn, one JSON line each, when no levels are configured', () => {
    const { debug, warn } = spies();
    const sink = new LoggerAuditSink();
    sink.emit(success);
    sink.emit(denial);
    expect(debug).toHaveBeenCalledWith(JSON.stringify(success));
    expect(warn).toHaveBeenCalledWith(JSON.stringify(denial));
  });

  it('skips successes, without serializing them, when the configured levels leave out debug', () => {
    Logger.overrideLogger(['error', 'warn', 'log']);
    const { debug, warn } = spies();
    const stringify = vi.spyOn(JSON, 'stringify');
    const sink = new LoggerAuditSink();
    sink.emit(success);
    expect(debug).not.toHaveBeenCalled();
    expect(stringify).not.toHaveBeenCalled();
    sink.emit(denial);
    expect(warn).toHaveBeenCalledWith(JSON.stringify(denial));
  });

  it('declines successes and allows, never failures or denials, when debug is off', () => {
    const sink = new LoggerAuditSink();
    expect(sink.accepts('auth.success')).toBe(true);
    Logger.overrideLogger(['error', 'warn']);
    for (const name of ['auth.success', 'auth.anonymous', 'authz.role.allow'] as const) {
      expect(sink.accepts(name)).toBe(false);
    }
    for (const name of [
      'auth.failure.replay',
      'authz.role.deny',
      'jwks.refresh.failure',
    ] as const) {
      expect(sink.accepts(name)).toBe(true);
    }
    // The answer follows every change of levels, not only the first.
    Logger.overrideLogger(['error', 'warn', 'debug']);
    expect(sink.accepts('auth.success')).toBe(true);
    Logger.overrideLogger(['error']);
    expect(sink.accepts('auth.success')).toBe(false);
    configure(undefined);
    expect(sink.accepts('auth.success')).toBe(true);
  });

  it('logs a JWKS refresh failure at warn although it carries no code', () => {
    const { debug, warn } = spies();
    const failure: IamAuditEvent = { name: 'jwks.refresh.failure', timestamp: success.timestamp };
    new LoggerAuditSink().emit(failure);
    expect(warn).toHaveBeenCalledWith(JSON.stringify(failure));
    expect(debug).not.toHaveBeenCalled();
  });

  it('logs successes when the configured levels include debug', () => {
    Logger.overrideLogger(['error', 'warn', 'debug']);
    const { debug } = spies();
    new LoggerAuditSink().emit(success);
    expect(debug).toHaveBeenCalledWith(JSON.stringify(success));
  });
});
