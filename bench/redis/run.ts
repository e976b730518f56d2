/**
 * `npm run bench:redis`: CPU per replay check against the local Redis, in this process pinned to
 * one core, with 10 concurrent callers (as 10 requests in flight would make them). Compares
 * ioredis's own cost for one `SET key 1 PX ttl NX`, with and without auto-pipelining, to
 * `RedisReplayCache.claim` (the same command, bounded by a timeout, on a `fromUrl` client).
 * Redis's own CPU is not counted. Options: `--calls N` per round (default 30000), `--rounds N`.
 */

import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisReplayCache } from '../../src/replay/redis-replay-cache.js';
import { numberOption as option, pinToCore } from '../support/cli.js';
import { median, spread, table } from '../support/stats.js';

pinToCore(1);

const URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CALLS = option('calls', 30_000);
const ROUNDS = option('rounds', 5);
const CALLERS = 10;
const prefix = `iam-bench:redis:${randomUUID()}:`;
let sequence = 0;

const connect = async (enableAutoPipelining: boolean) => {
  const client = new Redis(URL, { enableAutoPipelining, enableOfflineQueue: false });
  await new Promise((resolve) => client.once('ready', resolve));
  return client;
};
const plain = await connect(false);
const pipelined = await connect(true);
const cache = RedisReplayCache.fromUrl(URL, { keyPrefix: prefix });

const variants: [string, (key: string) => Promise<unknown>][] = [
  ['ioredis SET NX', (key) => plain.call('SET', prefix + key, '1', 'PX', 60_000, 'NX')],
  [
    'ioredis SET NX, auto-pipelined',
    (key) => pipelined.call('SET', prefix + key, '1', 'PX', 60_000, 'NX'),
  ],
  ['RedisReplayCache.claim (fromUrl)', (key) => cache.claim(key, 60_000)],
];

async function cpuPerCall(call: (key: string) => Promise<unknown>, calls: number): Promise<number> {
  const caller = async () => {
    for (let index = 0; index < calls / CALLERS; index += 1) await call(String(sequence++));
  };
  const before = process.cpuUsage();
  await Promise.all(Array.from({ length: CALLERS }, caller));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / calls;
}

const samples = new Map(variants.map(([name]) => [name, [] as number[]]));
for (const [, call] of variants) await cpuPerCall(call, CALLS / 3);
for (let round = 0; round < ROUNDS; round += 1) {
  for (let index = 0; index < variants.length; index += 1) {
    const [name, call] = variants[(round + index) % variants.length] as (typeof variants)[number];
    samples.get(name)?.push(await cpuPerCall(call, CALLS));
  }
}

let cursor = '0';
do {
  const [next, keys] = await plain.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1_000);
  if (keys.length > 0) await plain.del(...keys);
  cursor = next;
} while (cursor !== '0');
await Promise.all([plain.quit(), pipelined.quit(), cache.close()]);

console.log(
  table(
    ['variant', 'CPU us/call (median)', 'spread'],
    [...samples].map(([name, values]) => [name, median(values).toFixed(1), spread(values)]),
  ),
);
console.log(
  `\n${CALLERS} concurrent callers, ${ROUNDS} rounds x ${CALLS} calls, Node ${process.version}.`,
);
