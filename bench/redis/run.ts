/**
 * `npm run bench:redis`: CPU per replay check against the local Redis, in this process pinned to
 * one core, with 10 concurrent callers (as 10 requests in flight would make them). Compares
 * ioredis's own cost for one `SET key 1 PX ttl NX`, with and without auto-pipelining, to
 * `RedisReplayCache.claim` on a `fromUrl` client (each call bounded by a timeout), with its claims
 * batched per event-loop turn (one `EVAL`, the default) and without (one `SET NX` each). Redis's own
 * CPU per call is reported beside this process's (read from /proc, so Redis must run on this
 * machine): a batch must not save the pod's CPU by spending more of Redis's. Options: `--calls N`
 * per round (default 30000), `--rounds N`.
 */

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
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
const unbatched = RedisReplayCache.fromUrl(URL, { keyPrefix: prefix, batchClaims: false });
const redisPid = Number(/process_id:(\d+)/.exec(await plain.info('server'))?.[1]);
const ticksPerUs = 100 / 1e6; // USER_HZ, 100 on Linux

/** Redis's CPU so far in microseconds: utime + stime of its process, in clock ticks. */
function redisCpuUs(): number {
  const fields = readFileSync(`/proc/${redisPid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / ticksPerUs;
}

const variants: [string, (key: string) => Promise<unknown>][] = [
  ['ioredis SET NX', (key) => plain.call('SET', prefix + key, '1', 'PX', 60_000, 'NX')],
  [
    'ioredis SET NX, auto-pipelined',
    (key) => pipelined.call('SET', prefix + key, '1', 'PX', 60_000, 'NX'),
  ],
  ['RedisReplayCache.claim (fromUrl), batched', (key) => cache.claim(key, 60_000)],
  ['RedisReplayCache.claim (fromUrl), batchClaims false', (key) => unbatched.claim(key, 60_000)],
];

/** This process's and Redis's CPU per call, in microseconds. */
async function cpuPerCall(
  call: (key: string) => Promise<unknown>,
  calls: number,
): Promise<[number, number]> {
  const caller = async () => {
    for (let index = 0; index < calls / CALLERS; index += 1) await call(String(sequence++));
  };
  const before = process.cpuUsage();
  const redisBefore = redisCpuUs();
  await Promise.all(Array.from({ length: CALLERS }, caller));
  const used = process.cpuUsage(before);
  return [(used.user + used.system) / calls, (redisCpuUs() - redisBefore) / calls];
}

const samples = new Map(variants.map(([name]) => [name, [] as number[]]));
const redisSamples = new Map(variants.map(([name]) => [name, [] as number[]]));
for (const [, call] of variants) await cpuPerCall(call, CALLS / 3);
for (let round = 0; round < ROUNDS; round += 1) {
  for (let index = 0; index < variants.length; index += 1) {
    const [name, call] = variants[(round + index) % variants.length] as (typeof variants)[number];
    const [ours, redis] = await cpuPerCall(call, CALLS);
    samples.get(name)?.push(ours);
    redisSamples.get(name)?.push(redis);
  }
}

let cursor = '0';
do {
  const [next, keys] = await plain.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1_000);
  if (keys.length > 0) await plain.del(...keys);
  cursor = next;
} while (cursor !== '0');
await Promise.all([plain.quit(), pipelined.quit(), cache.close(), unbatched.close()]);

console.log(
  table(
    ['variant', 'CPU us/call (median)', 'spread', 'Redis CPU us/call (median)', 'spread'],
    [...samples].map(([name, values]) => {
      const redis = redisSamples.get(name) ?? [];
      return [
        name,
        median(values).toFixed(1),
        spread(values),
        median(redis).toFixed(1),
        spread(redis),
      ];
    }),
  ),
);
console.log(
  `\n${CALLERS} concurrent callers, ${ROUNDS} rounds x ${CALLS} calls, Node ${process.version}.`,
);
