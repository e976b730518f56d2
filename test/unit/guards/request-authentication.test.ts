import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
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

describe('where the state is kept', () => {
  it("adds nothing to Express's request (Node's IncomingMessage): a WeakMap holds its state", () => {
    const request = new IncomingMessage(new Socket());
    const keys = Reflect.ownKeys(request);
    setAuthState(request, STATE);
    authenticationOf(request, async () => STATE);
    expect(Reflect.ownKeys(request)).toEqual(keys);
    expect(getAuthState(request)).toEqual(STATE);
  });

  it('keeps it on any other request object under a symbol, out of its JSON and keys', () => {
    const request = { headers: {} };
    setAuthState(request, STATE);
    expect(getAuthState(request)).toEqual(STATE);
    expect(Object.keys(request)).toEqual(['headers']);
    expect(JSON.stringify(request)).toBe('{"headers":{}}');
  });

  it.each([
    ['a Fastify-like request', () => ({ headers: {} })],
    ['an Express request', () => new IncomingMessage(new Socket())],
  ])(
    'is shared by two copies of the module, as the ESM and CommonJS builds loaded side by side are: %s',
    async (_, makeRequest) => {
      vi.resetModules();
      const other = await import('../../../src/request/request-state.js');
      expect(other.getAuthState).not.toBe(getAuthState);
      const request = makeRequest();
      setAuthState(request, STATE);
      expect(other.getAuthState(request)).toEqual(STATE);
      other.setAuthState(request, { tenant: 'other', identity: undefined });
      expect(getAuthState(request)?.tenant).toBe('other');
    },
  );
});
