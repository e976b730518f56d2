import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IamUpstreamUnavailableError } from '../../../src/errors/iam-errors.js';
import {
  type AttemptFailure,
  type BreakerStateChange,
  UpstreamGuard,
  type UpstreamGuardSettings,
} from '../../../src/resilience/upstream-guard.js';

/** An outage as axios reports one: a refused connection, with the address it went to. */
class Refused extends Error {
  readonly code = 'ECONNREFUSED';
  readonly address = '127.0.0.1';
  readonly port = 4466;
}

/** An answer that is no outage, like Kratos's 401 to a dead session. */
class Answered extends Error {}

/** An attempt its own request gave up on: the client went away, the deadline ran out. */
class CutShort extends Error {}

const classify = (error: unknown): AttemptFailure => {
  if (error instanceof Refused) return 'outage';
  return error instanceof CutShort ? 'abandoned' : 'answer';
};
const failing = () => Promise.reject(new Refused('refused'));
const answering = () => Promise.reject(new Answered('401'));

function settings(overrides: Partial<UpstreamGuardSettings['breaker']> = {}, maxConcurrent = 64) {
  return {
    maxConcurrent,
    breaker: { enabled: true, failureThreshold: 3, halfOpenAfterMs: 5_000, ...overrides },
  };
}

/** A pending attempt the test settles. */
function held<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

async function rejectionOf(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => new Error('expected a rejection'),
    (error: unknown) => error,
  );
}

async function refusal(call: Promise<unknown>): Promise<IamUpstreamUnavailableError> {
  const error = await rejectionOf(call);
  expect(error).toBeInstanceOf(IamUpstreamUnavailableError);
  return error as IamUpstreamUnavailableError;
}

let changes: BreakerStateChange[];
const guardWith = (config: UpstreamGuardSettings) =>
  new UpstreamGuard('shop', 'keto-read', config, (change) => changes.push(change));

async function trip(guard: UpstreamGuard, times: number): Promise<void> {
  for (let i = 0; i < times; i += 1) {
    expect(await rejectionOf(guard.run(failing, classify))).toBeInstanceOf(Refused);
  }
}

beforeEach(() => {
  changes = [];
  // Only the clock: cockatiel reads Date.now() to know when an open breaker may probe.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
});
afterEach(() => vi.useRealTimers());

describe('UpstreamGuard: circuit breaker', () => {
  it('opens after failureThreshold outages in a row and then answers 503 at once with Retry-After until the probe', async () => {
    const guard = guardWith(settings());
    await trip(guard, 3);
    const attempt = vi.fn(failing);

    const open = await refusal(guard.run(attempt, classify));
    expect(attempt).not.toHaveBeenCalled();
    expect(open.code).toBe('upstream.circuit_open');
    expect(open.getStatus()).toBe(503);
    expect(open.retryAfterSeconds).toBe(5);
    expect(open.reason).toBe(
      'Keto read API of tenant "shop": circuit breaker open (last: ECONNREFUSED 127.0.0.1:4466)',
    );
    // The client's body is the fixed message: no host, no reason.
    expect(JSON.stringify(open.getResponse())).not.toContain('127.0.0.1');

    vi.setSystemTime(Date.now() + 3_200);
    expect((await refusal(guard.run(attempt, classify))).retryAfterSeconds).toBe(2);
    vi.setSystemTime(Date.now() + 1_700);
    // 100 ms left: never 0, which would invite an immediate retry storm.
    expect((await refusal(guard.run(attempt, classify))).retryAfterSeconds).toBe(1);
    expect(attempt).not.toHaveBeenCalled();
    expect(changes).toEqual([
      {
        tenant: 'shop',
        upstream: 'keto-read',
        state: 'open',
        reason: 'ECONNREFUSED 127.0.0.1:4466',
        retryAfterSeconds: 5,
      },
    ]);
  });

  it('counts only outages: an answer such as a 401 passes through and ends a run of failures', async () => {
    const guard = guardWith(settings());
    for (let round = 0; round < 3; round += 1) {
      await trip(guard, 2);
      expect(await rejectionOf(guard.run(answering, classify))).toBeInstanceOf(Answered);
    }
    expect(guard.status()).toMatchObject({ breaker: 'closed', consecutiveFailures: 0 });
    await expect(guard.run(() => Promise.resolve('ok'), classify)).resolves.toBe('ok');
    expect(changes).toEqual([]);
  });

  it('lets exactly one probe through when half-open, answers the others 503 at once, and closes on its success', async () => {
    const guard = guardWith(settings());
    await trip(guard, 3);
    vi.setSystemTime(Date.now() + 5_000);

    const probe = held<string>();
    const probing = guard.run(() => probe.promise, classify);
    expect(guard.status().breaker).toBe('half-open');
    const other = vi.fn(() => Promise.resolve('other'));
    const refused = await refusal(guard.run(other, classify));
    expect(other).not.toHaveBeenCalled();
    expect(refused.code).toBe('upstream.circuit_open');
    expect(refused.retryAfterSeconds).toBe(1);

    probe.resolve('back');
    await expect(probing).resolves.toBe('back');
    expect(guard.status()).toMatchObject({ breaker: 'closed', consecutiveFailures: 0 });
    await expect(guard.run(other, classify)).resolves.toBe('other');
    expect(changes.map((change) => change.state)).toEqual(['open', 'half-open', 'closed']);
  });

  it('opens again for a full interval when the probe fails', async () => {
    const guard = guardWith(settings());
    await trip(guard, 3);
    vi.setSystemTime(Date.now() + 5_000);
    await trip(guard, 1);

    const again = await refusal(guard.run(failing, classify));
    expect(again.retryAfterSeconds).toBe(5);
    expect(guard.status()).toMatchObject({ breaker: 'open', nextProbeInMs: 5_000 });
    expect(changes.map((change) => change.state)).toEqual(['open', 'half-open', 'open']);
  });

  it('treats an answered probe (a 404) as the upstream being back', async () => {
    const guard = guardWith(settings());
    await trip(guard, 3);
    vi.setSystemTime(Date.now() + 5_000);
    expect(await rejectionOf(guard.run(answering, classify))).toBeInstanceOf(Answered);
    expect(guard.status().breaker).toBe('closed');
  });

  it('counts an abandoned attempt neither way: it neither adds to nor ends a run of outages', async () => {
    const guard = guardWith(settings());
    await trip(guard, 2);
    const cut = () => Promise.reject(new CutShort('client went away'));
    expect(await rejectionOf(guard.run(cut, classify))).toBeInstanceOf(CutShort);
    expect(guard.status()).toMatchObject({ breaker: 'closed', consecutiveFailures: 2 });
    await trip(guard, 1);
    expect(guard.status().breaker).toBe('open');
  });

  it('stays open when its probe is abandoned: nothing was proven', async () => {
    const guard = guardWith(settings());
    await trip(guard, 3);
    vi.setSystemTime(Date.now() + 5_000);
    const cut = () => Promise.reject(new CutShort('deadline'));
    expect(await rejectionOf(guard.run(cut, classify))).toBeInstanceOf(CutShort);
    expect(guard.status().breaker).toBe('open');
    expect((await refusal(guard.run(cut, classify))).code).toBe('upstream.circuit_open');
  });

  it('never opens when turned off, and says so', async () => {
    const guard = guardWith(settings({ enabled: false }));
    await trip(guard, 10);
    expect(guard.status()).toEqual({
      breaker: 'off',
      consecutiveFailures: 0,
      inFlight: 0,
      maxConcurrent: 64,
    });
    expect(changes).toEqual([]);
  });
});

describe('UpstreamGuard: bulkhead', () => {
  it('answers 503 upstream.saturated at once beyond maxConcurrent, without queueing, and takes calls again when one ends', async () => {
    const guard = guardWith(settings({}, 2));
    const first = held<string>();
    const second = held<string>();
    const running = [
      guard.run(() => first.promise, classify),
      guard.run(() => second.promise, classify),
    ];
    expect(guard.status()).toMatchObject({ inFlight: 2, maxConcurrent: 2 });

    const third = vi.fn(() => Promise.resolve('third'));
    const saturated = await refusal(guard.run(third, classify));
    expect(third).not.toHaveBeenCalled();
    expect(saturated.code).toBe('upstream.saturated');
    expect(saturated.retryAfterSeconds).toBe(1);
    expect(saturated.reason).toBe('Keto read API of tenant "shop": 2 calls in flight');

    first.resolve('first');
    second.reject(new Refused('refused'));
    await expect(running[0]).resolves.toBe('first');
    await expect(running[1]).rejects.toBeInstanceOf(Refused);
    await expect(guard.run(third, classify)).resolves.toBe('third');
    // The refusal was the bulkhead's, not an outage: only the one refused connection counted.
    expect(guard.status()).toMatchObject({
      breaker: 'closed',
      consecutiveFailures: 0,
      inFlight: 0,
    });
  });

  it('does not count its own refusals towards opening the breaker', async () => {
    const guard = guardWith(settings({ failureThreshold: 1 }, 1));
    const pending = held<string>();
    const running = guard.run(() => pending.promise, classify);
    for (let i = 0; i < 5; i += 1) {
      expect((await refusal(guard.run(failing, classify))).code).toBe('upstream.saturated');
    }
    pending.resolve('done');
    await running;
    expect(guard.status().breaker).toBe('closed');
  });
});
