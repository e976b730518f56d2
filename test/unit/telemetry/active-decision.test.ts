import * as api from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { noteCacheHit, noteRejection } from '../../../src/telemetry/active-decision.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the notes to the active decision span', () => {
  // With no decision span begun, none can be in any context: asking the API would only cost.
  it('do not look in the context while no decision span is open', () => {
    const active = vi.spyOn(api.context, 'active');
    noteCacheHit(true);
    noteRejection('deny', 'auth.failure.expired');
    expect(active).not.toHaveBeenCalled();
  });
});
