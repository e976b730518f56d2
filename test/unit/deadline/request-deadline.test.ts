import { EventEmitter } from 'node:events';
import { Controller, Get, Req } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IAM_TRANSPORT_OVERRIDE } from '../../../src/config/injection-tokens.js';
import { CallerGoneError, type Deadline } from '../../../src/deadline/deadline.js';
import type { IamIdentity } from '../../../src/identity/iam-identity.js';
import type { ContextRequest } from '../../../src/request/execution-context.js';
import { HttpIamRequest } from '../../../src/request/http-request.js';
import {
  keepRequestDeadline,
  pendingRequestDeadline,
  requestDeadlineOf,
} from '../../../src/request/request-deadline.js';
import { requestSlot } from '../../../src/request/request-slot.js';
import { IamTestingModule } from '../../../src/testing/index.js';
import { PLATFORMS, type RunningApp, request, startApp } from '../../support/nest-app.js';

// The same slot the library keeps it in (a property, or on Express a WeakMap entry).
const kept = requestSlot<Deadline>('deadline');

/** A request view over a plain holder and a response that can close like Node's. */
function contextRequest(): {
  found: ContextRequest;
  holder: Record<symbol, unknown>;
  response: EventEmitter & { writableFinished: boolean };
} {
  const holder: Record<symbol, unknown> = {};
  const response = Object.assign(new EventEmitter(), { writableFinished: false });
  const found: ContextRequest = {
    request: new HttpIamRequest({ headers: {} }),
    response,
    graphqlArgs: undefined,
    ws: undefined,
    stateHolder: holder,
    deadlineHolder: holder,
  };
  return { found, holder, response };
}

describe('pendingRequestDeadline: the authentication deadline, kept once something waits', () => {
  it('keeps nothing on the request and watches nothing while nothing waits', () => {
    const { found, holder, response } = contextRequest();
    const deadline = pendingRequestDeadline(found, 1_000);
    expect(deadline.remainingMs()).toBeGreaterThan(0);
    expect(kept.get(holder)).toBeUndefined();
    expect(response.listenerCount('close')).toBe(0);
    // A guard that needs one later gets its own.
    expect(requestDeadlineOf(found, 1_000)).not.toBe(deadline);
  });

  it('once its signal is asked for: kept for the guards after it, and cancelled by the client closing', () => {
    const { found, response } = contextRequest();
    const deadline = pendingRequestDeadline(found, 1_000);
    const { signal } = deadline;
    expect(requestDeadlineOf(found, 1_000)).toBe(deadline);
    expect(pendingRequestDeadline(found, 1_000)).toBe(deadline);
    expect(response.listenerCount('close')).toBe(1);
    response.emit('close');
    expect(signal.reason).toBeInstanceOf(CallerGoneError);
  });

  it('kept by a caller that waits without its signal, so the guards after it share its budget', () => {
    const { found, response } = contextRequest();
    const deadline = pendingRequestDeadline(found, 1_000);
    keepRequestDeadline(found, deadline);
    expect(requestDeadlineOf(found, 1_000)).toBe(deadline);
    expect(response.listenerCount('close')).toBe(0);
    deadline.dispose();
  });

  it('is the deadline already kept on the request, when there is one', () => {
    const { found } = contextRequest();
    const kept = requestDeadlineOf(found, 1_000);
    expect(pendingRequestDeadline(found, 1_000)).toBe(kept);
  });
});

let seen: { deadline: Deadline | undefined } = { deadline: undefined };

@Controller('deadline')
class DeadlineController {
  @Get()
  kept(@Req() req: object) {
    const held = kept.get(req);
    return { kept: held !== undefined, same: held !== undefined && held === seen.deadline };
  }
}

const ALICE: IamIdentity = {
  id: 'alice',
  kind: 'user',
  tenant: 'default',
  roles: [],
  via: 'oathkeeper-jwt',
};

describe.each(PLATFORMS)('the request deadline through SessionGuard on %s', (platform) => {
  let running: RunningApp;
  let waits = false;

  beforeAll(async () => {
    running = await startApp(
      { imports: [IamTestingModule.forRoot()], controllers: [DeadlineController] },
      platform,
      (builder) =>
        builder.overrideProvider(IAM_TRANSPORT_OVERRIDE).useValue({
          authenticate: () => Promise.resolve(ALICE),
          authenticateNow: (_request: unknown, deadline: Deadline) => {
            seen = { deadline };
            // Waiting without asking for the signal, as a claim in the replay store does.
            return waits ? Promise.resolve(ALICE) : ALICE;
          },
        }),
    );
  });
  afterAll(() => running.close());

  it('keeps no deadline on a request whose authentication waited for nothing', async () => {
    waits = false;
    const response = await request(`${running.url}/deadline`);
    expect(response).toMatchObject({ status: 200, body: { kept: false } });
    expect(seen.deadline).toBeDefined();
  });

  it('keeps the one the authentication waited on', async () => {
    waits = true;
    const response = await request(`${running.url}/deadline`);
    expect(response).toMatchObject({ status: 200, body: { kept: true, same: true } });
  });
});
