import type { Type } from '@nestjs/common';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { AUDIT_SINK, type IamAuditEvent } from '../../../src/index.js';
import {
  IamTestingModule,
  type IamTestingModuleOptions,
  IamTestingState,
} from '../../../src/testing/index.js';
import { type Platform, type RunningApp, startApp } from '../../support/nest-app.js';

/** An app with IamTestingModule whose audit events a test can read. */
export interface AuditedTestingApp {
  readonly url: string;
  readonly state: IamTestingState;
  /** The audit events of the running test. */
  readonly events: IamAuditEvent[];
}

/**
 * Starts the app once for the calling describe block and closes it after; before each test, the
 * testing state is reset and the events are cleared.
 */
export function useAuditedTestingApp(
  platform: Platform,
  testing: IamTestingModuleOptions,
  controllers: Type[],
): AuditedTestingApp {
  let running: RunningApp | undefined;
  let state: IamTestingState | undefined;
  const events: IamAuditEvent[] = [];
  beforeAll(async () => {
    running = await startApp(
      {
        imports: [IamTestingModule.forRoot(testing)],
        controllers,
        providers: [
          { provide: AUDIT_SINK, useValue: { emit: (event: IamAuditEvent) => events.push(event) } },
        ],
      },
      platform,
    );
    state = running.app.get(IamTestingState);
  });
  afterAll(() => running?.close());
  beforeEach(() => {
    state?.reset();
    events.length = 0;
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the app did not start; see the beforeAll error');
    return value;
  };
  return {
    get url() {
      return started(running).url;
    },
    get state() {
      return started(state);
    },
    events,
  };
}
