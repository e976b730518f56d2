/**
 * SPEC step 8: a replay's message and its audit event both name the likely cause when it is not
 * an attack (an Oathkeeper claims template with no per-request value). The audit event carries the
 * client-facing message, which never holds request data.
 */
import { describe, expect, it } from 'vitest';
import { IamUnauthorizedError, iamErrorFor } from '../../../src/errors/iam-errors.js';
import { rejectDecision } from '../../../src/guards/decision-audit.js';
import { claimOnce } from '../../../src/replay/claim-once.js';
import { ReplayCapacityExceededError } from '../../../src/replay/replay-capacity-error.js';
import { ReplayStateLostError } from '../../../src/replay/replay-state-lost-error.js';
import { RecordingSink } from '../jwt/verifier-fixtures.js';

/** The guards' runtime without an `errors.map`: the library's own errors. */
const runtimeOf = (sink: RecordingSink) => ({ audit: sink.emitter(), options: { errors: {} } });

describe('the audit event of a rejection', () => {
  it('names the claims template as the likely cause of a replay', () => {
    const sink = new RecordingSink();
    const error = rejectDecision(runtimeOf(sink), new IamUnauthorizedError('auth.failure.replay'), {
      found: undefined,
      tenant: 'default',
    });
    expect(error.getResponse()).toMatchObject({ code: 'auth.failure.replay' });
    const [event] = sink.events;
    expect(event).toMatchObject({ name: 'auth.failure.replay', code: 'auth.failure.replay' });
    expect(String(event?.detail?.message)).toContain('{{ uuidv4 }}');
  });

  it('carries the reason of a malformed token', () => {
    const sink = new RecordingSink();
    rejectDecision(
      runtimeOf(sink),
      new IamUnauthorizedError(
        'auth.failure.malformed',
        'The token is malformed: its algorithm is not accepted.',
      ),
      { found: undefined },
    );
    expect(sink.events[0]?.detail).toEqual({
      message: 'The token is malformed: its algorithm is not accepted.',
    });
  });

  it('records a replay cache without room as auth.replay_capacity_exceeded, a 503 with Retry-After', async () => {
    const sink = new RecordingSink();
    const full = {
      seen: async () => false,
      remember: async () => undefined,
      claim: async () => {
        throw new ReplayCapacityExceededError('subject');
      },
    };
    const thrown = await claimOnce(full, 't:j', 1_000, { tenant: 't', subject: 's' }).catch(
      (error: unknown) => error,
    );
    const headers = new Map<string, string>();
    const response = { setHeader: (name: string, value: string) => headers.set(name, value) };
    const error = rejectDecision(runtimeOf(sink), thrown, {
      found: {
        request: { path: '/orders', method: 'GET', header: () => undefined },
        response,
      } as never,
      tenant: 't',
      subject: 's',
    });
    expect(error.getStatus()).toBe(503);
    expect(sink.events[0]).toMatchObject({
      name: 'auth.replay_capacity_exceeded',
      code: 'auth.replay_capacity_exceeded',
      subject: 's',
    });
    expect(String(sink.events[0]?.detail?.message)).toContain('this subject');
    expect(headers.get('Retry-After')).toBe('1');
  });

  it('records a token the cache cannot vouch for after a loss as auth.replay_state_lost, a 503 with the loss time for the operator', async () => {
    const sink = new RecordingSink();
    const lostAt = Date.UTC(2026, 10, 30, 12, 0, 0);
    const forgetful = {
      seen: async () => false,
      remember: async () => undefined,
      claim: async () => {
        throw new ReplayStateLostError(lostAt);
      },
    };
    const thrown = await claimOnce(forgetful, 't:j', 1_000, { tenant: 't', subject: 's' }).catch(
      (error: unknown) => error,
    );
    const headers = new Map<string, string>();
    const response = { setHeader: (name: string, value: string) => headers.set(name, value) };
    const error = rejectDecision(runtimeOf(sink), thrown, {
      found: {
        request: { path: '/orders', method: 'GET', header: () => undefined },
        response,
      } as never,
      tenant: 't',
      subject: 's',
    });
    expect(error.getStatus()).toBe(503);
    expect(error.getResponse()).toMatchObject({ code: 'auth.replay_state_lost' });
    expect(JSON.stringify(error.getResponse())).not.toContain('2026-11-30');
    expect(sink.events[0]).toMatchObject({
      name: 'auth.replay_state_lost',
      code: 'auth.replay_state_lost',
    });
    expect(String(sink.events[0]?.detail?.reason)).toContain('2026-11-30T12:00:00.000Z');
    expect(headers.get('Retry-After')).toBe('1');
  });

  it('builds the 503 of the capacity code from the code table', () => {
    const error = iamErrorFor('auth.replay_capacity_exceeded');
    expect(error.getStatus()).toBe(503);
    expect(error.code).toBe('auth.replay_capacity_exceeded');
  });
});
