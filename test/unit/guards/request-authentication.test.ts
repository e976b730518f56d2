import { describe, expect, it } from 'vitest';
import {
  authenticationOf,
  getAuthState,
  type RequestAuthState,
  setAuthState,
} from '../../../src/request/request-state.js';

const STATE: RequestAuthState = { tenant: 'default', identity: undefined };

describe('authenticationOf: one authentication per request', () => {
  it('shares a pending authentication: the second caller waits for the first, it does not start another', async () => {
    const request = {};
    let starts = 0;
    const start = async () => {
      starts += 1;
      return STATE;
    };
    const [first, second] = [authenticationOf(request, start), authenticationOf(request, start)];
    expect(await first).toBe(STATE);
    expect(await second).toBe(STATE);
    expect(starts).toBe(1);
  });

  it('answers at once, without a promise, an authentication that finished at once', () => {
    const request = {};
    const result = authenticationOf(request, () => {
      setAuthState(request, STATE);
      return STATE;
    });
    expect(result).toBe(STATE);
    expect(getAuthState(request)).toEqual(STATE);
  });

  it('keeps a failure that was thrown at once: every later caller gets it, none verifies again', async () => {
    const request = {};
    const failure = new Error('expired');
    let starts = 0;
    const failing = () => {
      starts += 1;
      throw failure;
    };
    expect(() => authenticationOf(request, failing)).toThrow(failure);
    await expect(authenticationOf(request, failing)).rejects.toBe(failure);
    expect(starts).toBe(1);
  });
});
