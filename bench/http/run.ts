/**
 * `bench/http`: what a request costs through each guard over HTTP on loopback, every variant in
 * one run. Each server variant runs in its own process pinned to core 1, the load generator
 * (autocannon, in this process) to core 0, when `taskset` exists. Every variant gets a warm-up that
 * is not measured, then `--rounds` rounds of `--requests` requests each, in a rotating order so
 * that drift in a shared machine's load spreads over every variant. Per round: requests/s,
 * latency p50/p99, and the server's own CPU time (`process.cpuUsage()`, asked over IPC before and
 * after) divided by the requests it served.
 *
 * Tokens are RS256 minted by the library's test signer, one pool shared by every variant; each
 * variant runs in a fresh process with a fresh replay cache, so every token it sees is new to it.
 * Rounds have a fixed duration (`--duration` seconds, autocannon's own timing), not a fixed count.
 *
 *   npm run build && npx tsx bench/http/run.ts [--rounds 5] [--duration 5] [--warmup 3]
 *     [--tokens 200000] [--connections 10] [--only fastify|express] [--out bench/results/x.json]
 *     [--kratos off] [--kinds bare,iam-memory,...] [--baseline ../main/dist/index.js]
 *
 * The Kratos cookie variant runs the real Kratos (built by scripts/ory/install) behind a recording
 * proxy, so each round also counts the session checks that missed the cache and reached Kratos.
 *
 * A variant with unique tokens that uses up the pool starts over (a resent token is a replay, a
 * cheap 401): the non-2xx column then shows it and the run warns. Raise `--tokens` or lower
 * `--duration` when that happens.
 */

import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { TestSigner } from '../../src/testing/test-signer.js';
import { bearerPool } from '../support/bench-tenant.js';
import { option, pinToCore } from '../support/cli.js';
import { deleteKeys } from '../support/redis-keys.js';
import { median } from '../support/stats.js';
import { KINDS } from './kinds.js';
import { type BenchKratos, startKratos } from './kratos.js';
import { report, type VariantResult } from './report.js';
import type { Kind, Platform } from './server.js';
import { HAS_TASKSET, type ServerProcess, startServer } from './server-process.js';

// The load generator on core 0; the servers pin themselves to core 1 (server-process.ts).
pinToCore(0);

const ROUNDS = Number(option('rounds', '5'));
const DURATION = Number(option('duration', '5'));
const WARMUP = Number(option('warmup', '3'));
const TOKENS = Number(option('tokens', '200000'));
const CONNECTIONS = Number(option('connections', '10'));
const ONLY = option('only', '');
// e.g. --kinds bare,iam-memory,signature-only: only those variants (each platform).
const KIND_FILTER = option('kinds', '').split(',').filter(Boolean);
const OUT = option('out', '');
const KRATOS = option('kratos', 'on') !== 'off';
// Another build of the library (e.g. main's dist/index.js): adds "-baseline" variants running it.
const BASELINE = option('baseline', '');
const RUN_ID = Date.now().toString(36);

interface Variant {
  readonly name: string;
  readonly platform: Platform;
  readonly kind: Kind;
  /** false: one token, resent (what Oathkeeper's token cache does with replay off). */
  readonly unique: boolean;
  server?: ServerProcess;
  next: number;
  readonly requests: number[];
  readonly rps: number[];
  readonly p50: number[];
  readonly p99: number[];
  readonly cpu: number[];
  readonly system: number[];
  /** Session checks that reached Kratos, per round (cookie variant only). */
  readonly kratosCalls: number[];
  non2xx: number;
}

const variants: Variant[] = (['fastify', 'express'] as const)
  .filter((platform) => ONLY === '' || ONLY === platform)
  .flatMap((platform) =>
    KINDS.filter(([kind]) => KRATOS || kind !== 'iam-kratos-cookie')
      .filter(([kind]) => KIND_FILTER.length === 0 || KIND_FILTER.includes(kind))
      .filter(([kind]) => BASELINE !== '' || !kind.endsWith('-baseline'))
      .map(([kind, label, unique]) => ({
        name: `${platform}: ${label}`,
        platform,
        kind,
        unique,
        next: 0,
        requests: [],
        rps: [],
        p50: [],
        p99: [],
        cpu: [],
        system: [],
        kratosCalls: [],
        non2xx: 0,
      })),
  );

const signer = TestSigner.create();
const jwks = await signer.serve();
console.log(`Minting ${TOKENS} RS256 tokens (valid 1 h)...`);
const pool = bearerPool(signer, TOKENS);
const kratos: BenchKratos | undefined = KRATOS ? await startKratos() : undefined;

async function load(variant: Variant, seconds: number): Promise<autocannon.Result> {
  const server = variant.server as ServerProcess;
  return autocannon({
    url: `http://127.0.0.1:${server.port}`,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: 'GET',
        path: '/orders',
        setupRequest: (request) => {
          if (variant.kind === 'iam-kratos-cookie') {
            request.headers = { ...request.headers, cookie: (kratos as BenchKratos).cookie };
            return request;
          }
          const index = variant.unique ? variant.next++ % pool.length : 0;
          request.headers = { ...request.headers, authorization: pool[index] as string };
          return request;
        },
      },
    ],
  });
}

for (const variant of variants) {
  // One per variant: both Redis variants get the same tokens.
  const prefix = `iam-bench:${RUN_ID}:${variant.platform}:${variant.kind}:`;
  variant.server = await startServer(variant.platform, variant.kind, jwks.url, {
    BENCH_REDIS_PREFIX: prefix,
    ...(BASELINE === '' ? {} : { BENCH_BASELINE_LIBRARY: pathToFileURL(resolve(BASELINE)).href }),
    ...(kratos === undefined ? {} : { BENCH_KRATOS_URL: kratos.publicUrl }),
  });
  if (!variant.server.library.includes('/dist/')) {
    throw new Error(`nestjs-ory-iam resolved to ${variant.server.library}, not dist/`);
  }
  const warm = await load(variant, WARMUP);
  if (warm.non2xx > 0) throw new Error(`${variant.name}: ${warm.non2xx} non-2xx in the warm-up`);
  console.log(`warmed up ${variant.name}`);
}

for (let round = 0; round < ROUNDS; round += 1) {
  for (let i = 0; i < variants.length; i += 1) {
    const variant = variants[(round + i) % variants.length] as Variant;
    const server = variant.server as ServerProcess;
    const cpuBefore = await server.cpuSplit();
    const kratosBefore = kratos?.whoamiCalls() ?? 0;
    const start = performance.now();
    const result = await load(variant, DURATION);
    const seconds = (performance.now() - start) / 1_000;
    const cpuAfter = await server.cpuSplit();
    const served = result['2xx'] + result.non2xx;
    if (variant.kind === 'iam-kratos-cookie') {
      variant.kratosCalls.push((kratos?.whoamiCalls() ?? 0) - kratosBefore);
    }
    variant.requests.push(served);
    variant.rps.push(served / seconds);
    variant.p50.push(result.latency.p50);
    variant.p99.push(result.latency.p99);
    const system = cpuAfter.system - cpuBefore.system;
    variant.cpu.push((cpuAfter.user - cpuBefore.user + system) / served);
    variant.system.push(system / served);
    variant.non2xx += result.non2xx + result.errors;
  }
  console.log(`round ${round + 1}/${ROUNDS} done`);
}

for (const variant of variants) {
  await variant.server?.stop();
  // Only a replay check makes a resent token a cheap 401; the floor and passport do not check.
  const checksReplay = [
    'iam-memory',
    'iam-memory-baseline',
    'iam-memory-telemetry-off',
    'iam-memory-quiet',
    'iam-redis',
    'jose',
    'fast-jwt',
    'fewest-checks',
  ].includes(variant.kind);
  if (checksReplay && variant.next > pool.length) {
    console.warn(`WARNING ${variant.name} used up the ${pool.length} tokens: raise --tokens`);
  }
}
await jwks.close();
await kratos?.stop();

// The Redis variants' keys would expire with the tokens in an hour; a shared Redis gets them back now.
await deleteKeys(`iam-bench:${RUN_ID}:*`);

const results: VariantResult[] = variants.map((variant) => ({
  name: variant.name,
  platform: variant.platform,
  kind: variant.kind,
  requests: variant.requests,
  rps: variant.rps,
  p50: variant.p50,
  p99: variant.p99,
  cpu: variant.cpu,
  system: variant.system,
  kratosCalls: variant.kratosCalls,
  non2xx: variant.non2xx,
}));
const machine = {
  nproc: cpus().length,
  cpu: cpus()[0]?.model ?? 'unknown',
  node: process.version,
  pinned: HAS_TASKSET ? 'load generator core 0, each server core 1' : 'not pinned (no taskset)',
};
const settings = {
  rounds: ROUNDS,
  durationS: DURATION,
  warmupS: WARMUP,
  connections: CONNECTIONS,
  tokens: TOKENS,
};
console.log(report(results));
console.log(
  `\n${machine.cpu}, ${machine.nproc} cores, Node ${machine.node}, ${machine.pinned}; ` +
    `${ROUNDS} rounds x ${DURATION} s, ${CONNECTIONS} connections, warm-up ${WARMUP} s, ${TOKENS} tokens.`,
);
if (OUT !== '') {
  const medians = Object.fromEntries(results.map((r) => [r.name, median(r.cpu)]));
  writeFileSync(
    OUT,
    `${JSON.stringify({ date: new Date().toISOString(), machine, settings, medianCpuUsPerRequest: medians, variants: results }, null, 2)}\n`,
  );
  console.log(`Results written to ${OUT}`);
}
