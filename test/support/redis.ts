import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.NESTJS_ORY_IAM_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A client for the machine's Redis that fails the test at once when the server is not there
 * (CI starts it); integration tests never skip silently.
 */
export async function connectTestRedis(): Promise<Redis> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
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
