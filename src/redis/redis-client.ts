import { createRequire } from 'node:module';
import { Logger } from '@nestjs/common';
import { describeUpstreamFailure } from '../errors/upstream-failure.js';

/**
 * What the Redis stores need from a client. ioredis's `Redis` (standalone or Sentinel-backed) and
 * `Cluster` fit it as they are.
 *
 * It is typed structurally rather than with `import type { Redis } from 'ioredis'` so that the
 * package's declarations never name ioredis: it is an optional peer dependency, and users who do not
 * install it must still be able to compile against the package.
 */
export interface RedisCommandClient {
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
  /** ioredis's `Cluster` says so: the replay cache then sends each claim as a command of its own. */
  readonly isCluster?: boolean;
  /** ioredis's connection state: while it is (re)connecting, a call waits for `ready` within its timeout. */
  readonly status?: string;
  once?(event: 'ready', listener: () => void): unknown;
  /** ioredis emits `ready` on every (re)connect: the replay cache re-checks its epoch then. */
  on?(event: 'ready', listener: () => void): unknown;
  off?(event: 'ready', listener: () => void): unknown;
  quit?(): Promise<unknown>;
  disconnect?(): void;
}

/** Options shared by the Redis stores. */
export interface RedisConnectionOptions {
  /**
   * Longest a single Redis call may take, waiting for a connection included, in milliseconds;
   * past it the call rejects (a replay check then answers 503). Default 250.
   */
  timeoutMs?: number;
}

export const DEFAULT_REDIS_TIMEOUT_MS = 250;

const CONNECTING_STATES = new Set(['connecting', 'connect', 'reconnecting']);

/**
 * A client for `url` that never queues a command while Redis is away: no offline queue, commands
 * in flight when the connection drops are rejected rather than resent after the reconnect (a
 * resent `SET NX` that had landed would turn a first use into a replay), and a connection that
 * stops answering is dropped. It reconnects by itself; calls made while it does wait for it within
 * their own timeout (see {@link BoundedRedis}). Auto-pipelining sends the commands of concurrent
 * requests in one write: under load that is one system call for many session lookups. The replay
 * cache's `EVAL` is left out of it: it already carries every claim of its turn of the event loop,
 * and a pipeline would only hold it for another turn.
 *
 * ioredis is loaded here, on demand, with `createRequire` rather than a top-level import, so that
 * the package loads without it; `require` rather than `import()` keeps `fromUrl` synchronous.
 */
export function connectRedis(url: string, timeoutMs: number): RedisCommandClient {
  const require = createRequire(import.meta.url);
  let ioredis: { Redis: new (url: string, options: object) => OwnedIoredisClient };
  try {
    ioredis = require('ioredis');
  } catch {
    throw new Error(
      'A Redis store needs the optional peer dependency ioredis: npm install ioredis',
    );
  }
  const client = new ioredis.Redis(url, {
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    autoPipeliningIgnoredCommands: ['EVAL'],
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: Math.max(timeoutMs, 1_000),
    socketTimeout: Math.max(timeoutMs * 4, 1_000),
  });
  reportOutages(client);
  return client;
}

type OwnedIoredisClient = RedisCommandClient & {
  on(event: 'error' | 'ready', listener: (error?: unknown) => void): unknown;
};

const logger = new Logger('IamRedis');

/**
 * One warning when the connection is lost or cannot be made (at boot too, where a Redis that is
 * not there would otherwise show only as 503s on the first requests), one line when it is back.
 * Calls still fail on their own; ioredis would log every reconnect attempt without a listener.
 * The reason names the address, never the URL (it may carry a password).
 */
function reportOutages(client: OwnedIoredisClient): void {
  let down = false;
  client.on('error', (error) => {
    if (down) return;
    down = true;
    logger.warn(
      `Redis is unreachable (${describeUpstreamFailure(error)}); the stores that use it answer 503 until it is back.`,
    );
  });
  client.on('ready', () => {
    if (down) logger.log('Redis is reachable again.');
    down = false;
  });
}

/**
 * Every Redis call of a store, each bounded by `timeoutMs`, so that neither a hung connection nor
 * a client queueing offline can hold a request. A call that times out may still land later; for
 * the replay cache that errs on the side of refusing.
 */
export class BoundedRedis {
  private readonly waitingForReady = new Set<() => void>();
  private listeningForReady = false;

  constructor(
    readonly client: RedisCommandClient,
    readonly timeoutMs: number,
  ) {}

  call(command: string, ...args: (string | number)[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let timedOut = false;
      const send = (): void => {
        this.waitingForReady.delete(send);
        if (timedOut) return;
        this.client.call(command, ...args).then(
          (value) => {
            clearTimeout(timer);
            resolve(value);
          },
          (error: unknown) => {
            clearTimeout(timer);
            reject(error);
          },
        );
      };
      const timer = setTimeout(() => {
        timedOut = true;
        this.waitingForReady.delete(send);
        const timeout = new Error(`Redis ${command} did not answer within ${this.timeoutMs} ms`);
        reject(Object.assign(timeout, { code: 'ETIMEDOUT' }));
      }, this.timeoutMs);
      if (this.isConnecting()) this.sendWhenReady(send);
      else send();
    });
  }

  private isConnecting(): boolean {
    const { status, once } = this.client;
    return status !== undefined && once !== undefined && CONNECTING_STATES.has(status);
  }

  /** One `ready` listener for all waiting calls, so a burst during a reconnect adds no listeners. */
  private sendWhenReady(send: () => void): void {
    this.waitingForReady.add(send);
    if (this.listeningForReady) return;
    this.listeningForReady = true;
    this.client.once?.('ready', () => {
      this.listeningForReady = false;
      for (const waiting of [...this.waitingForReady]) waiting();
    });
  }
}
