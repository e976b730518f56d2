import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Deadline } from '../../../src/deadline/deadline.js';
import { IamUpstreamUnavailableError } from '../../../src/errors/iam-errors.js';
import {
  callOry,
  type OryCallPolicy,
  type OryRequestOptions,
  type OryResponse,
} from '../../../src/ory/ory-call.js';

/** What axios throws for a request its signal aborted. */
function canceled(): Error {
  return Object.assign(new Error('canceled'), { isAxiosError: true, code: 'ERR_CANCELED' });
}

/** A Keto that never answers: each attempt ends only when its signal aborts. */
function hangingUpstream() {
  const attempts: { at: number; timeout: number; signal: AbortSignal }[] = [];
  const call = (options: OryRequestOptions): Promise<OryResponse<unknown>> => {
    attempts.push({ at: performance.now(), timeout: options.timeout, signal: options.signal });
    return new Promise((_, reject) => {
      options.signal.addEventListener('abort', () => reject(canceled()), { once: true });
    });
  };
  return { attempts, call };
}

function refusingUpstream() {
  let attempts = 0;
  const call = (): Promise<OryResponse<unknown>> => {
    attempts += 1;
    return Promise.reject(
      Object.assign(new Error('connect ECONNREFUSED'), {
        isAxiosError: true,
        code: 'ECONNREFUSED',
      }),
    );
  };
  return { call, attempts: () => attempts };
}

const policy: OryCallPolicy = { timeoutMs: 1_000, retries: 2, deadlineMs: 3_000 };

async function settle<T>(promise: Promise<T>): Promise<T | unknown> {
  const settled = promise.then(
    (value) => value,
    (error: unknown) => error,
  );
  await vi.runAllTimersAsync();
  return settled;
}

describe('callOry within a deadline', () => {
  let start = 0;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    // Backoff of attempt n is then half its cap: 25 ms, then 50 ms.
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    start = performance.now();
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  it('starts a retry only when the deadline left holds its backoff and a whole attempt', async () => {
    const keto = hangingUpstream();
    const error = await settle(callOry('Keto check', policy, keto.call, { idempotent: true }));
    expect(error).toBeInstanceOf(IamUpstreamUnavailableError);
    // 0-1000 the first attempt, 1025-2025 the second; 975 ms left cannot hold a third.
    expect(keto.attempts.map(({ at }) => at - start)).toEqual([0, 1_025]);
    expect(keto.attempts.map(({ timeout }) => timeout)).toEqual([1_000, 1_000]);
    expect(performance.now() - start).toBe(2_025);
    expect((error as IamUpstreamUnavailableError).reason).toBe(
      'Keto check: no answer in time (2 attempts)',
    );
    expect((error as IamUpstreamUnavailableError).retryAfterSeconds).toBe(5);
  });

  it('retries fast failures as often as configured while the deadline allows', async () => {
    const keto = refusingUpstream();
    const error = await settle(callOry('Keto check', policy, keto.call, { idempotent: true }));
    expect(keto.attempts()).toBe(3);
    expect((error as IamUpstreamUnavailableError).reason).toBe(
      'Keto check: ECONNREFUSED (3 attempts)',
    );
  });

  it('cuts an attempt short at the deadline and says so', async () => {
    const keto = hangingUpstream();
    const error = await settle(
      callOry('Keto check', { ...policy, deadlineMs: 300 }, keto.call, { idempotent: true }),
    );
    expect(keto.attempts.map(({ timeout }) => timeout)).toEqual([300]);
    expect(performance.now() - start).toBe(300);
    expect((error as IamUpstreamUnavailableError).reason).toBe(
      'Keto check: no answer within the deadline of 300 ms',
    );
  });

  it('draws every call of a request from the one deadline', async () => {
    const deadline = new Deadline(1_500);
    const kratos = hangingUpstream();
    const once = { ...policy, retries: 0 };
    const first = callOry('Kratos whoami', once, kratos.call, { idempotent: true, deadline });
    first.catch(() => undefined);
    // Only as far as the first attempt's timeout: running all timers would spend the deadline.
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(first).rejects.toBeInstanceOf(IamUpstreamUnavailableError);
    const keto = hangingUpstream();
    const error = await settle(
      callOry('Keto check', once, keto.call, { idempotent: true, deadline }),
    );
    expect(kratos.attempts.map(({ timeout }) => timeout)).toEqual([1_000]);
    expect(keto.attempts.map(({ timeout }) => timeout)).toEqual([500]);
    expect(performance.now() - start).toBe(1_500);
    expect((error as IamUpstreamUnavailableError).reason).toBe(
      'Keto check: no answer within the deadline of 1500 ms',
    );
  });

  it('makes no attempt at all once the deadline is spent', async () => {
    const deadline = new Deadline(100);
    vi.advanceTimersByTime(100);
    const keto = hangingUpstream();
    const error = await settle(
      callOry('Keto check', policy, keto.call, { idempotent: true, deadline }),
    );
    expect(keto.attempts).toHaveLength(0);
    expect(error).toBeInstanceOf(IamUpstreamUnavailableError);
  });

  it('aborts the attempt in flight at once when the client goes away, and never retries', async () => {
    const deadline = new Deadline(3_000);
    const keto = hangingUpstream();
    const call = callOry('Keto check', policy, keto.call, { idempotent: true, deadline });
    await vi.advanceTimersByTimeAsync(10);
    deadline.cancel();
    expect(keto.attempts[0]?.signal.aborted).toBe(true);
    const error = await settle(call);
    expect(keto.attempts).toHaveLength(1);
    expect((error as IamUpstreamUnavailableError).reason).toBe(
      'Keto check: the caller went away (the client closed the request or aborted the call)',
    );
  });

  it("cancels a service call with the caller's signal", async () => {
    const controller = new AbortController();
    const keto = hangingUpstream();
    const call = callOry('Keto check', { ...policy, signal: controller.signal }, keto.call, {
      idempotent: true,
    });
    await vi.advanceTimersByTimeAsync(10);
    controller.abort();
    const error = await settle(call);
    expect(keto.attempts).toHaveLength(1);
    expect(keto.attempts[0]?.signal.aborted).toBe(true);
    expect(error).toBeInstanceOf(IamUpstreamUnavailableError);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('leaves no timer behind after a success', async () => {
    const answer = { data: { allowed: true }, status: 200, headers: {} };
    const result = await callOry('Keto check', policy, () => Promise.resolve(answer), {
      idempotent: true,
    });
    expect(result).toBe(answer);
    expect(vi.getTimerCount()).toBe(0);
  });
});
