/**
 * `bench/instructions`: user-space instructions per request through each `bench/http` server
 * variant, counted by valgrind's callgrind. A count, not a time: the other core's load does not
 * change what a request executes, so variants compare where CPU time is too noisy to. Each variant
 * runs in its own server process under callgrind, uninstrumented through start-up and a warm-up
 * (so V8 has tiered the hot path up), then instrumented for `--windows` windows of `--requests`
 * requests, one at a time (or `--connections` at a time, where batching across requests is what is
 * measured, such as Redis auto-pipelining). The count between zeroing and dumping, divided by the requests, is a
 * window's cost per request; the median over the windows is the variant's. A major GC, or the last
 * of V8's tier-up, falls in one window and not the next: the median leaves such a lump out, the
 * spread shows it. V8's JIT compiling inside a window is counted apart (callgrind.ts says why) and
 * left out.
 *
 * Instructions are not time: `crypto.verify`'s loops retire several per cycle, JavaScript that
 * misses the caches far fewer. `--l2 SIZE,WAYS,LINE` (1048576,16,64 for this machine's Zen 5 core)
 * turns on callgrind's cache simulation with that L2 as its last level, and the variants are then
 * compared in estimated cycles: instructions, plus `L1_MISS_CYCLES` per L1 miss and
 * `L2_MISS_CYCLES` per L2 miss. The simulated caches start cold when counting starts, so the first
 * `--skip` windows (3 by default with `--l2`) are counted but left out.
 *
 *   npm run bench:instructions -- [--requests 500] [--windows 3] [--warmup 8000] [--connections 1]
 *     [--only fastify|express] [--kinds bare,iam-memory,...] [--out bench/results/x.json]
 *     [--baseline ../main/dist/index.js]   (adds ours on that build: before/after in one run)
 *     [--l2 1048576,16,64 [--skip 3]]   (cache misses too, and estimated cycles)
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { TestSigner } from '../../src/testing/test-signer.js';
import { KINDS } from '../http/kinds.js';
import type { Kind, Platform } from '../http/server.js';
import { type ServerProcess, startServer } from '../http/server-process.js';
import { bearerPool } from '../support/bench-tenant.js';
import { numberOption, option } from '../support/cli.js';
import { deleteKeys } from '../support/redis-keys.js';
import { median } from '../support/stats.js';
import {
  type Counted,
  callgrind,
  counted,
  dump,
  HAS_CALLGRIND,
  instrument,
  lastDump,
  zero,
} from './callgrind.js';
import { type Measured, report } from './report.js';

if (!HAS_CALLGRIND) {
  console.error('bench/instructions needs valgrind and callgrind_control on the PATH.');
  process.exit(1);
}

const REQUESTS = numberOption('requests', 500);
const WINDOWS = numberOption('windows', 3);
const WARMUP = numberOption('warmup', 8_000);
const CONNECTIONS = numberOption('connections', 1);
const ONLY = option('only', '');
const DEFAULT_KINDS =
  'bare,iam-memory,iam-redis,iam-replay-off,allow-all,signature-only,jose,fast-jwt,passport';
// Another build of the library (e.g. main's dist/index.js): adds ours on it, with replay in memory,
// in Redis and off ("iam-memory-baseline", "iam-redis-baseline", "iam-replay-off-baseline").
const BASELINE = option('baseline', '');
const KIND_FILTER = option(
  'kinds',
  BASELINE === ''
    ? DEFAULT_KINDS
    : `${DEFAULT_KINDS},iam-memory-baseline,iam-redis-baseline,iam-replay-off-baseline`,
).split(',');
const OUT = option('out', '');
const L2 = option('l2', '');
const CACHES = L2 === '' ? undefined : { lastLevel: L2 };
const SKIP = numberOption('skip', CACHES === undefined ? 0 : 3);
/** What a miss costs, in cycles: about the latency of the next level on Zen 5 (L2 14, L3 ~50). */
const L1_MISS_CYCLES = 14;
const L2_MISS_CYCLES = 50;
// V8 starts a scavenge from a task once the young generation is partly full, and the memory reducer
// from a timer: under valgrind, 50 times slower, those fire at other points, and one server was
// seen scavenging ten times as often as another running the same code. Without them a scavenge
// comes when the young generation is full: as many per request as the request allocates.
process.env.BENCH_SERVER_NODE_FLAGS = [
  process.env.BENCH_SERVER_NODE_FLAGS ?? '',
  '--no-minor-gc-task',
  '--no-memory-reducer',
].join(' ');
const RUN_ID = `iam-bench:instr-${Date.now().toString(36)}`;
const DIR = mkdtempSync(join(tmpdir(), 'bench-instructions-'));

const signer = TestSigner.create();
const jwks = await signer.serve();
const TOKENS = WARMUP + (SKIP + WINDOWS) * REQUESTS;
console.log(`Minting ${TOKENS} RS256 tokens; callgrind output in ${DIR}`);
const pool = bearerPool(signer, TOKENS);

/** `amount` requests, `CONNECTIONS` at a time, each with the next token of the pool (or the first). */
async function load(server: ServerProcess, amount: number, from: number, unique: boolean) {
  let next = from;
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}`,
    connections: CONNECTIONS,
    amount,
    timeout: 60,
    requests: [
      {
        method: 'GET',
        path: '/orders',
        setupRequest: (request) => {
          request.headers = { ...request.headers, authorization: pool[unique ? next++ : 0] };
          return request;
        },
      },
    ],
  });
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0 || result['2xx'] !== amount) {
    throw new Error(`${result['2xx']} of ${amount} requests answered 2xx (${failed} failed)`);
  }
}

const UNIT = CACHES === undefined ? 'instructions' : 'estimated cycles';

/** A window's cost: its instructions, or with the caches simulated, its estimated cycles. */
function costOf({ instructions, l1Misses, l2Misses }: Counted): number {
  return instructions + L1_MISS_CYCLES * l1Misses + L2_MISS_CYCLES * l2Misses;
}

const measured: Measured[] = [];
for (const platform of ['fastify', 'express'] as const) {
  if (ONLY !== '' && ONLY !== platform) continue;
  for (const [kind, label, unique] of KINDS.filter(([kind]) => KIND_FILTER.includes(kind))) {
    const outFile = join(DIR, `${platform}-${kind}.out`);
    const server = await startServer(
      platform as Platform,
      kind as Kind,
      jwks.url,
      {
        // One per variant: both Redis variants get the same tokens.
        BENCH_REDIS_PREFIX: `${RUN_ID}:${platform}:${kind}:`,
        BENCH_REDIS_TIMEOUT_MS: '10000',
        ...(BASELINE === ''
          ? {}
          : { BENCH_BASELINE_LIBRARY: pathToFileURL(resolve(BASELINE)).href }),
      },
      callgrind(outFile, CACHES),
    );
    await load(server, WARMUP, 0, unique);
    instrument(server.pid);
    const windows: Counted[] = [];
    for (let window = 0; window < SKIP + WINDOWS; window += 1) {
      zero(server.pid);
      await load(server, REQUESTS, WARMUP + window * REQUESTS, unique);
      dump(server.pid);
      if (window >= SKIP) windows.push(counted(lastDump(outFile)));
    }
    await server.stop();
    const perWindow = windows.map((window) => costOf(window) / REQUESTS);
    const jit = windows.reduce((sum, window) => sum + window.jit, 0) / (WINDOWS * REQUESTS);
    const perRequest = median(perWindow);
    const perRequestOf = (count: (window: Counted) => number) =>
      median(windows.map((window) => count(window) / REQUESTS));
    const caches =
      CACHES === undefined
        ? undefined
        : {
            instructions: perRequestOf((window) => window.instructions),
            l1Misses: perRequestOf((window) => window.l1Misses),
            l2Misses: perRequestOf((window) => window.l2Misses),
          };
    measured.push({
      name: `${platform}: ${label}`,
      platform,
      kind,
      perRequest,
      perWindow,
      jit,
      caches,
    });
    console.log(
      `${platform}: ${label}: ${Math.round(perRequest).toLocaleString('en-US')} ${UNIT}/request`,
    );
  }
}
await jwks.close();
await deleteKeys(`${RUN_ID}:*`);

console.log(`\n${report(measured, UNIT)}`);
const machine = { cpu: cpus()[0]?.model ?? 'unknown', nproc: cpus().length, node: process.version };
console.log(
  `\n${machine.cpu}, ${machine.nproc} cores, Node ${machine.node}; valgrind callgrind, ` +
    `warm-up ${WARMUP} requests uninstrumented, ${WINDOWS} windows x ${REQUESTS} requests counted (median), ${CONNECTIONS === 1 ? 'one at a time' : `${CONNECTIONS} at a time`}.` +
    (CACHES === undefined
      ? ''
      : ` Caches simulated (last level ${CACHES.lastLevel}), ${SKIP} windows left out first; estimated cycles = instructions + ${L1_MISS_CYCLES} x L1 misses + ${L2_MISS_CYCLES} x L2 misses.`),
);
if (OUT !== '') {
  const settings = {
    requests: REQUESTS,
    windows: WINDOWS,
    warmup: WARMUP,
    connections: CONNECTIONS,
    ...(CACHES === undefined
      ? {}
      : {
          l2: CACHES.lastLevel,
          skip: SKIP,
          l1MissCycles: L1_MISS_CYCLES,
          l2MissCycles: L2_MISS_CYCLES,
        }),
  };
  writeFileSync(
    OUT,
    `${JSON.stringify({ date: new Date().toISOString(), machine, settings, variants: measured }, null, 2)}\n`,
  );
  console.log(`Results written to ${OUT}`);
}
