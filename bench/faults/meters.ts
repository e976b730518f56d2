/** What `npm run faults` measures inside the process that runs the apps under test. */

import { execFile } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { clock } from './clock.js';

const run = promisify(execFile);

/** The p-th percentile (0-100) of `values`, nearest rank; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

/**
 * Requests the apps send to one upstream port: axios (Kratos, Keto through @ory/client) goes
 * through node:http, fetch (the JWKS) through undici; each publishes the start of every request
 * on a diagnostics channel. Retries are separate requests, so this counts attempts.
 */
export class AttemptCounter {
  /** Start time (clock()) of every attempt. */
  readonly startedAt: number[] = [];
  private readonly onHttp = (message: unknown) => {
    const { request } = message as { request: ClientRequest };
    if (request.getHeader('host') === `127.0.0.1:${this.port}`) this.startedAt.push(clock());
  };
  private readonly onUndici = (message: unknown) => {
    const { request } = message as { request: { origin: string } };
    if (String(request.origin).endsWith(`:${this.port}`)) this.startedAt.push(clock());
  };

  constructor(private readonly port: number) {
    subscribe('http.client.request.start', this.onHttp);
    subscribe('undici:request:create', this.onUndici);
  }

  get count(): number {
    return this.startedAt.length;
  }

  close(): void {
    unsubscribe('http.client.request.start', this.onHttp);
    unsubscribe('undici:request:create', this.onUndici);
  }
}

/** Established TCP connections to `127.0.0.1:port`, from `ss`; undefined where `ss` is missing. */
export async function openSockets(port: number): Promise<number | undefined> {
  try {
    const { stdout } = await run('ss', ['-Htn', 'state', 'established', `( dport = :${port} )`]);
    return stdout.split('\n').filter((line) => line.trim() !== '').length;
  } catch {
    return undefined;
  }
}

/**
 * While running: the highest count of open sockets to one port (sampled every 250 ms), RSS at
 * start and at its highest, and the event loop's delay (perf_hooks, 10 ms resolution).
 */
export class ProcessSampler {
  readonly rssStartMb = process.memoryUsage.rss() / 1e6;
  rssMaxMb = this.rssStartMb;
  maxSockets: number | undefined;
  private readonly loop = monitorEventLoopDelay({ resolution: 10 });
  private readonly timer: NodeJS.Timeout;
  private sampling: Promise<void> = Promise.resolve();

  constructor(private readonly port: number) {
    this.loop.enable();
    this.timer = setInterval(() => {
      this.rssMaxMb = Math.max(this.rssMaxMb, process.memoryUsage.rss() / 1e6);
      this.sampling = this.sampling.then(async () => {
        const sockets = await openSockets(this.port);
        if (sockets !== undefined) this.maxSockets = Math.max(this.maxSockets ?? 0, sockets);
      });
    }, 250);
  }

  /** Stops sampling; the figures stay readable. */
  async stop(): Promise<{ rssEndMb: number; loopP99Ms: number; loopMaxMs: number }> {
    clearInterval(this.timer);
    await this.sampling;
    this.loop.disable();
    const rssEndMb = process.memoryUsage.rss() / 1e6;
    this.rssMaxMb = Math.max(this.rssMaxMb, rssEndMb);
    return {
      rssEndMb,
      loopP99Ms: this.loop.percentile(99) / 1e6,
      loopMaxMs: this.loop.max / 1e6,
    };
  }
}

/** Every `unhandledRejection` of this process from now on. */
export class RejectionCounter {
  count = 0;
  private readonly onRejection = () => {
    this.count += 1;
  };

  constructor() {
    process.on('unhandledRejection', this.onRejection);
  }

  close(): void {
    process.off('unhandledRejection', this.onRejection);
  }
}
