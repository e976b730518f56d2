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
 *   npm run bench:instructions -- [--requests 500] [--windows 3] [--warmup 8000] [--connections 1]
 *     [--only fastify|express] [--kinds bare,iam-memory,...] [--out bench/results/x.json]
 *     [--baseline ../main/dist/index.js]   (adds ours on that build: before/after in one run)
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
const RUN_ID = `iam-bench:instr-${Date.now().toString(36)}`;
const DIR = mkdtempSync(join(tmpdir(), 'bench-instructions-'));

const signer = TestSigner.create();
const jwks = await signer.serve();
console.log(`Minting ${WARMUP + WINDOWS * REQUESTS} RS256 tokens; callgrind output in ${DIR}`);
const pool = bearerPool(signer, WARMUP + WINDOWS * REQUESTS);

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
      callgrind(outFile),
    );
    await load(server, WARMUP, 0, unique);
    instrument(server.pid);
    const windows: Counted[] = [];
    for (let window = 0; window < WINDOWS; window += 1) {
      zero(server.pid);
      await load(server, REQUESTS, WARMUP + window * REQUESTS, unique);
      dump(server.pid);
      windows.push(counted(lastDump(outFile)));
    }
    await server.stop();
    const perWindow = windows.map(({ total, jit }) => (total - jit) / REQUESTS);
    const jit = windows.reduce((sum, window) => sum + window.jit, 0) / (WINDOWS * REQUESTS);
    const perRequest = median(perWindow);
    measured.push({ name: `${platform}: ${label}`, platform, kind, perRequest, perWindow, jit });
    console.log(
      `${platform}: ${label}: ${Math.round(perRequest).toLocaleString('en-US')} instructions/request`,
    );
  }
}
await jwks.close();
await deleteKeys(`${RUN_ID}:*`);

console.log(`\n${report(measured)}`);
const machine = { cpu: cpus()[0]?.model ?? 'unknown', nproc: cpus().length, node: process.version };
console.log(
  `\n${machine.cpu}, ${machine.nproc} cores, Node ${machine.node}; valgrind callgrind, ` +
    `warm-up ${WARMUP} requests uninstrumented, ${WINDOWS} windows x ${REQUESTS} requests counted (median), ${CONNECTIONS === 1 ? 'one at a time' : `${CONNECTIONS} at a time`}.`,
);
if (OUT !== '') {
  const settings = {
    requests: REQUESTS,
    windows: WINDOWS,
    warmup: WARMUP,
    connections: CONNECTIONS,
  };
  writeFileSync(
    OUT,
    `${JSON.stringify({ date: new Date().toISOString(), machine, settings, variants: measured }, null, 2)}\n`,
  );
  console.log(`Results written to ${OUT}`);
}
