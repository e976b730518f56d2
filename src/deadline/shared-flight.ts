import { Deadline } from './deadline.js';

/**
 * One piece of upstream work awaited by several requests (a Kratos whoami shared by requests with
 * the same session after a cache miss). It runs on a budget of its own, not on the first
 * requester's: a client that goes away stops waiting without failing the others. Once every
 * waiter has gone, the work is cancelled: nobody is left to pay for it, unless it `outlivesWaiters`
 * (a service token fetched after its first caller gave up still serves the next ones).
 */
export class SharedFlight<T> {
  readonly result: Promise<T>;
  private readonly deadline: Deadline;
  private waiters = 0;
  private settled = false;

  constructor(
    budgetMs: number,
    work: (deadline: Deadline) => Promise<T>,
    private readonly options: { readonly outlivesWaiters?: boolean } = {},
  ) {
    this.deadline = new Deadline(budgetMs);
    this.result = work(this.deadline).finally(() => {
      this.settled = true;
      this.deadline.dispose();
    });
    // Every waiter handles the outcome; a flight left by all its waiters may still reject.
    this.result.catch(() => undefined);
  }

  /** Waits for the shared result for at most as long as `deadline` allows. */
  async join(deadline: Deadline): Promise<T> {
    this.waiters += 1;
    try {
      return await deadline.race(this.result);
    } finally {
      this.waiters -= 1;
      if (this.waiters === 0 && !this.settled && this.options.outlivesWaiters !== true) {
        this.deadline.cancel();
      }
    }
  }
}
