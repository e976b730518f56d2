import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CallerGoneError,
  Deadline,
  DeadlineExceededError,
  deadlineForCall,
} from '../../../src/deadline/deadline.js';
import { SharedFlight } from '../../../src/deadline/shared-flight.js';

function abortReasonOf(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(signal.reason), { once: true }),
  );
}

describe('Deadline', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('counts down from its budget', () => {
    const deadline = new Deadline(1_000);
    vi.advanceTimersByTime(400);
    expect(deadline.remainingMs()).toBe(600);
    vi.advanceTimersByTime(700);
    expect(deadline.remainingMs()).toBe(0);
  });

  it('aborts its signal with DeadlineExceededError when the budget is spent', () => {
    const deadline = new Deadline(500);
    const { signal } = deadline;
    vi.advanceTimersByTime(499);
    expect(signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(DeadlineExceededError);
    expect((signal.reason as DeadlineExceededError).message).toBe(
      'no answer within the deadline of 500 ms',
    );
  });

  it('gives an already aborted signal when asked after the budget is spent', () => {
    const deadline = new Deadline(100);
    vi.advanceTimersByTime(150);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.signal.reason).toBeInstanceOf(DeadlineExceededError);
  });

  it('aborts with CallerGoneError when cancelled, and stops its timer', () => {
    const deadline = new Deadline(1_000);
    const { signal } = deadline;
    deadline.cancel();
    expect(signal.reason).toBeInstanceOf(CallerGoneError);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never aborts once disposed', () => {
    const deadline = new Deadline(100);
    const { signal } = deadline;
    deadline.dispose();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1_000);
    expect(signal.aborted).toBe(false);
  });

  it('subscribes its watch only when the signal is first asked for, and unsubscribes on dispose', () => {
    const unwatch = vi.fn();
    const watch = vi.fn(() => unwatch);
    const deadline = new Deadline(1_000, watch);
    expect(watch).not.toHaveBeenCalled();
    void deadline.signal;
    void deadline.signal;
    expect(watch).toHaveBeenCalledTimes(1);
    deadline.dispose();
    expect(unwatch).toHaveBeenCalledTimes(1);
  });

  it('lets the watch cancel it (the client went away)', () => {
    let cancel: (() => void) | undefined;
    const deadline = new Deadline(1_000, (watched) => {
      cancel = () => watched.cancel();
      return () => undefined;
    });
    const { signal } = deadline;
    cancel?.();
    expect(signal.reason).toBeInstanceOf(CallerGoneError);
  });

  it('races a promise: its value, its rejection, or the abort reason first', async () => {
    const deadline = new Deadline(1_000);
    await expect(deadline.race(Promise.resolve('key'))).resolves.toBe('key');
    await expect(deadline.race(Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    const never = new Promise<string>(() => undefined);
    const raced = deadline.race(never);
    vi.advanceTimersByTime(1_000);
    await expect(raced).rejects.toBeInstanceOf(DeadlineExceededError);
    await expect(deadline.race(Promise.resolve('late'))).rejects.toBeInstanceOf(
      DeadlineExceededError,
    );
  });

  it('waits the given time, or answers false as soon as it aborts', async () => {
    const deadline = new Deadline(1_000);
    const waited = deadline.wait(200);
    vi.advanceTimersByTime(200);
    await expect(waited).resolves.toBe(true);
    const cut = deadline.wait(5_000);
    vi.advanceTimersByTime(800);
    await expect(cut).resolves.toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('deadlineForCall', () => {
  it('is cancelled by the caller signal, and at once when it is already aborted', () => {
    const controller = new AbortController();
    const deadline = deadlineForCall(10_000, controller.signal);
    const { signal } = deadline;
    controller.abort();
    expect(signal.reason).toBeInstanceOf(CallerGoneError);
    deadline.dispose();

    const gone = deadlineForCall(10_000, AbortSignal.abort());
    expect(gone.signal.reason).toBeInstanceOf(CallerGoneError);
  });

  it('lets go of the caller signal once disposed', () => {
    const controller = new AbortController();
    const deadline = deadlineForCall(10_000, controller.signal);
    const { signal } = deadline;
    deadline.dispose();
    controller.abort();
    expect(signal.aborted).toBe(false);
  });
});

describe('SharedFlight', () => {
  it('keeps the work going when one waiter goes away, and cancels it when the last does', async () => {
    let workSignal: AbortSignal | undefined;
    let finish: ((value: string) => void) | undefined;
    const flight = new SharedFlight(10_000, (own) => {
      workSignal = own.signal;
      return new Promise<string>((resolve) => {
        finish = resolve;
      });
    });
    const first = new Deadline(10_000);
    const second = new Deadline(10_000);
    const firstWait = flight.join(first);
    const secondWait = flight.join(second);
    first.cancel();
    await expect(firstWait).rejects.toBeInstanceOf(CallerGoneError);
    expect(workSignal?.aborted).toBe(false);
    finish?.('session');
    await expect(secondWait).resolves.toBe('session');

    const abandoned = new SharedFlight(10_000, (own) => {
      workSignal = own.signal;
      return new Promise<string>(() => undefined);
    });
    const only = new Deadline(10_000);
    const onlyWait = abandoned.join(only);
    only.cancel();
    await expect(onlyWait).rejects.toBeInstanceOf(CallerGoneError);
    expect(workSignal?.reason).toBeInstanceOf(CallerGoneError);
  });

  it('fails every waiter with the work, and does not leave the rejection unhandled', async () => {
    const flight = new SharedFlight(10_000, () => Promise.reject(new Error('Kratos is down')));
    await expect(flight.join(new Deadline(10_000))).rejects.toThrow('Kratos is down');
  });
});

describe('Deadline under garbage collection (nodejs/node#57736)', () => {
  it('aborts every one of 300 signals nobody else holds, after a forced GC', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const aborted = Array.from({ length: 300 }, () =>
      abortReasonOf(new Deadline(30, () => () => undefined).signal),
    );
    gc();
    const reasons = await Promise.all(aborted);
    expect(reasons.filter((reason) => reason instanceof DeadlineExceededError)).toHaveLength(300);
  });
});
