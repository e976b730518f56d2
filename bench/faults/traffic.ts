/** The clients of `npm run faults`: single requests, a steady rate, and clients that give up. */

import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { clock } from './clock.js';
import type { AppUnderTest } from './rig.js';

/** One answer as the client saw it; status 0 when the client gave up, -1 on a network error. */
export interface Answer {
  readonly status: number;
  /** {@link clock} when the request was sent and when its answer (or error) came. */
  readonly sentAt: number;
  readonly doneAt: number;
}

export async function send(app: AppUnderTest, giveUpMs?: number): Promise<Answer> {
  const { path, headers } = app.request();
  const sentAt = clock();
  // A timer of our own rather than AbortSignal.timeout: such signals can be collected before they
  // fire (nodejs/node#57736), and the client would then never give up.
  const controller = new AbortController();
  const timer = giveUpMs === undefined ? undefined : setTimeout(() => controller.abort(), giveUpMs);
  try {
    const response = await fetch(`${app.url}${path}`, { headers, signal: controller.signal });
    await response.arrayBuffer();
    return { status: response.status, sentAt, doneAt: clock() };
  } catch {
    return { status: controller.signal.aborted ? 0 : -1, sentAt, doneAt: clock() };
  } finally {
    clearTimeout(timer);
  }
}

/** Sends until an answer is 200 (every 50 ms, at most `limitMs`); resolves to when it came. */
export async function firstOk(app: AppUnderTest, limitMs = 60_000): Promise<number | undefined> {
  const giveUpAt = clock() + limitMs;
  while (clock() < giveUpAt) {
    const answer = await send(app);
    if (answer.status === 200) return answer.doneAt;
    await sleep(50);
  }
  return undefined;
}

/**
 * Requests at `rate` per second from a process of its own (load-process.ts) until stopped; the
 * answers arrive here as they come.
 */
export class SteadyLoad {
  /** Answers as they arrive, for what happened before a given moment. */
  readonly arrived: Answer[] = [];
  private readonly child: ChildProcess;
  private readonly exited: Promise<unknown>;

  constructor(app: AppUnderTest, rate: number) {
    const { path, headers } = app.request();
    this.child = fork(
      fileURLToPath(new URL('./load-process.ts', import.meta.url)),
      [JSON.stringify({ url: `${app.url}${path}`, headers, rate })],
      { execArgv: ['--import', 'tsx'] },
    );
    this.exited = once(this.child, 'exit');
    this.child.on('message', (message: { type: string } & Answer) => {
      if (message.type === 'answer') {
        const { status, sentAt, doneAt } = message;
        this.arrived.push({ status, sentAt, doneAt });
      }
    });
  }

  /** Sends no more; resolves to how many were sent. */
  async stopSending(): Promise<number> {
    const stopped = new Promise<number>((resolve) => {
      const onMessage = (message: { type: string; sent?: number }) => {
        if (message.type !== 'stopped') return;
        this.child.off('message', onMessage);
        resolve(message.sent ?? 0);
      };
      this.child.on('message', onMessage);
    });
    this.child.send({ type: 'stop' });
    return stopped;
  }

  /** Waits for every answer of the `sent` requests, then ends the process; in sending order. */
  async drain(sent: number): Promise<Answer[]> {
    while (this.arrived.length < sent) await sleep(50);
    this.child.kill();
    await this.exited;
    return [...this.arrived].sort((a, b) => a.sentAt - b.sentAt);
  }
}
