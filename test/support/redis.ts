import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';

export const REDIS_URL = process.env.NESTJS_ORY_IAM_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A client for the machine's Redis that fails the test at once when the server is not there
 * (CI starts it); integration tests never skip silently.
 */
export async function connectTestRedis(options: RedisOptions = {}): Promise<Redis> {
  const client = new Redis(REDIS_URL, { ...options, lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    throw new Error(
      `Redis is not reachable at ${REDIS_URL} (start it: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no): ${String(error)}`,
    );
  }
  return client;
}

/** A key prefix no other test run shares. */
export function uniquePrefix(name: string): string {
  return `test:${name}:${randomUUID()}:`;
}

/** Every key under a prefix, by SCAN. */
export async function keysWithPrefix(client: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

/**
 * A redis-server of the test's own, without persistence (`--save "" --appendonly no`), which the
 * test may kill and start again on the same port, as a crash and restart of a Redis that keeps
 * nothing on disk. Start and stop are awaited on the server's own output and exit, not on sleeps.
 */
export class OwnRedisServer {
  private process: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  /** A server on a port free now. */
  static async start(): Promise<OwnRedisServer> {
    const server = new OwnRedisServer(await freePort());
    await server.start();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.process = child;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          child.stdout?.off('data', onData);
          child.stdout?.resume();
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
    });
  }

  /** SIGKILL: a crash; everything in memory is gone. Resolves once the process has exited. */
  async kill(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}
