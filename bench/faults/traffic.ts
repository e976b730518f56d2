/** The clients of `npm run faults`: single requests, a steady rate, and clients that give up. */

import { setTimeout as sleep } from 'node:timers/promises';
import type { AppUnderTest } from './rig.js';

/** One answer as the client saw it; status 0 when the client gave up, -1 on a network error. */
export interface Answer {
  readonly status: number;
  /** performance.now() when the request was sent and when its answer (or error) came. */
  readonly sentAt: number;
  readonly doneAt: number;
}

export async function send(app: AppUnderTest, giveUpMs?: number): Promise<Answer> {
  const { path, headers } = app.request();
  const sentAt = performance.now();
  // A timer of our own rather than AbortSignal.timeout: such signals can be collected before they
  // fire (nodejs/node#57736), and the client would then never give up.
  const controller = new AbortController();
  const timer = giveUpMs === undefined ? undefined : setTimeout(() => controller.abort(), giveUpMs);
  try {
    const response = await fetch(`${app.url}${path}`, { headers, signal: controller.signal });
    await response.arrayBuffer();
    return { status: response.status, sentAt, doneAt: performance.now() };
  } catch {
    return { status: controller.signal.aborted ? 0 : -1, sentAt, doneAt: performance.now() };
  } finally {
    clearTimeout(timer);
  }
}

/** Sends until an answer is 200 (every 50 ms, at most `limitMs`); resolves to when it came. */
export async function firstOk(app: AppUnderTest, limitMs = 60_000): Promise<number | undefined> {
  const giveUpAt = performance.now() + limitMs;
  while (performance.now() < giveUpAt) {
    const answer = await send(app);
    if (answer.status === 200) return answer.doneAt;
    await sleep(50);
  }
  return undefined;
}

/**
 * Requests at `rate` per second until stopped, catching up when the event loop was late, so the
 * offered load does not drop when the app under test slows this process down.
 */
export class SteadyLoad {
  readonly answers: Promise<Answer>[] = [];
  /** Answers as they arrive, for what happened before a given moment. */
  readonly arrived: Answer[] = [];
  private readonly startedAt = performance.now();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly app: AppUnderTest,
    private readonly rate: number,
  ) {
    this.timer = setInterval(() => this.tick(), 10);
  }

  get sent(): number {
    return this.answers.length;
  }

  stop(): Promise<Answer[]> {
    clearInterval(this.timer);
    return Promise.all(this.answers);
  }

  private tick(): void {
    const due = Math.floor(((performance.now() - this.startedAt) / 1_000) * this.rate);
    while (this.answers.length < due) {
      const answer = send(this.app);
      void answer.then((done) => this.arrived.push(done));
      this.answers.push(answer);
    }
  }
}
