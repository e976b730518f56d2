/** The abort reason of a {@link Deadline} whose budget ran out. */
export class DeadlineExceededError extends Error {
  constructor(readonly budgetMs: number) {
    super(`no answer within the deadline of ${budgetMs} ms`);
    this.name = 'DeadlineExceededError';
  }
}

/** The abort reason of a {@link Deadline} whose caller went away (the client closed the request). */
export class CallerGoneError extends Error {
  constructor() {
    super('the caller went away (the client closed the request or aborted the call)');
    this.name = 'CallerGoneError';
  }
}

/**
 * Subscribes a deadline to the end of whoever waits for it: calls `deadline.cancel()` when the
 * caller goes away and `deadline.dispose()` when it is answered. Returns the unsubscribe.
 */
export type CallerWatch = (deadline: Deadline) => () => void;

/**
 * The budget of all the upstream work done for one request or one service call: every attempt,
 * retry and wait draws from it. Its signal exists only once something asks for it, so a request
 * that needs no upstream (a JWT verified with cached keys and an in-memory replay cache) pays one
 * clock read. The signal is this object's own `AbortController`, kept alive by its timer: a signal
 * made with `AbortSignal.any` can be garbage-collected before it fires (nodejs/node#57736).
 */
export class Deadline {
  private readonly expiresAt: number;
  private controller: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private unwatch: (() => void) | undefined;

  constructor(
    readonly budgetMs: number,
    private readonly watch?: CallerWatch,
  ) {
    this.expiresAt = performance.now() + budgetMs;
  }

  /** Milliseconds left; 0 once the budget is spent. */
  remainingMs(): number {
    return Math.max(0, this.expiresAt - performance.now());
  }

  /** Aborts when the budget runs out or the caller goes away; the reason says which. */
  get signal(): AbortSignal {
    if (this.controller !== undefined) return this.controller.signal;
    const controller = new AbortController();
    this.controller = controller;
    const remaining = this.remainingMs();
    if (remaining <= 0) {
      controller.abort(new DeadlineExceededError(this.budgetMs));
      return controller.signal;
    }
    this.timer = setTimeout(() => this.abort(new DeadlineExceededError(this.budgetMs)), remaining);
    // The request or call this budget belongs to keeps the process alive, not the budget.
    this.timer.unref();
    if (this.watch !== undefined) this.unwatch = this.watch(this);
    return controller.signal;
  }

  /** The caller went away: whatever still runs on this budget is aborted. */
  cancel(): void {
    this.abort(new CallerGoneError());
  }

  /** The work is done: stops the timer and the watch. */
  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const unwatch = this.unwatch;
    this.unwatch = undefined;
    unwatch?.();
  }

  /**
   * Settles like `promise`, or rejects with the abort reason when the deadline aborts first. The
   * promise itself runs on: use this to stop waiting for work shared with others.
   */
  race<T>(promise: Promise<T>): Promise<T> {
    const { signal } = this;
    if (signal.aborted) {
      promise.catch(ignore);
      return Promise.reject(signal.reason);
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      promise.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }

  /** Resolves true after `ms`, or false as soon as the deadline aborts. */
  wait(ms: number): Promise<boolean> {
    const { signal } = this;
    if (signal.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private abort(reason: Error): void {
    this.dispose();
    const controller = this.controller ?? new AbortController();
    this.controller = controller;
    if (!controller.signal.aborted) controller.abort(reason);
  }
}

function ignore(): void {}

/**
 * A budget for one service call: `deadlineMs`, cut short when `signal` (the caller's) aborts.
 * Disposed by the caller once the call settles.
 */
export function deadlineForCall(deadlineMs: number, signal?: AbortSignal): Deadline {
  if (signal === undefined) return new Deadline(deadlineMs);
  const deadline = new Deadline(deadlineMs, (watched) => {
    const onAbort = (): void => watched.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    return () => signal.removeEventListener('abort', onAbort);
  });
  // Already aborted: nothing should start at all.
  if (signal.aborted) deadline.cancel();
  return deadline;
}
