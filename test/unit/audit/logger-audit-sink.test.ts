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

  it('logs successes when the configured levels include debug', () => {
    Logger.overrideLogger(['error', 'warn', 'debug']);
    const { debug } = spies();
    new LoggerAuditSink().emit(success);
    expect(debug).toHaveBeenCalledWith(JSON.stringify(success));
  });
});
