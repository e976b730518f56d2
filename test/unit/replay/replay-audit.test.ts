/**
 * SPEC step 8: a replay's message and its audit event both name the likely cause when it is not
 * an attack (an Oathkeeper claims template with no per-request value). The audit event carries the
 * client-facing message, which never holds request data.
 */
import { describe, expect, it } from 'vitest';
import { IamUnauthorizedError } from '../../../src/errors/iam-errors.js';
import { rejectDecision } from '../../../src/guards/decision-audit.js';
import { RecordingSink } from '../jwt/verifier-fixtures.js';

describe('the audit event of a rejection', () => {
  it('names the claims template as the likely cause of a replay', () => {
    const sink = new RecordingSink();
    const error = rejectDecision(sink.emitter(), new IamUnauthorizedError('auth.failure.replay'), {
      found: undefined,
      tenant: 'default',
    });
    expect(error.code).toBe('auth.failure.replay');
    const [event] = sink.events;
    expect(event).toMatchObject({ name: 'auth.failure.replay', code: 'auth.failure.replay' });
    expect(String(event?.detail?.message)).toContain('{{ uuidv4 }}');
  });

  it('carries the reason of a malformed token', () => {
    const sink = new RecordingSink();
    rejectDecision(
      sink.emitter(),
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
});
