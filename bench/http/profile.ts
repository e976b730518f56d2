/**
 * `bench/http/profile.ts`: one server variant of `bench/http` under a fixed number of requests with
 * `--cpu-prof`, then the functions with the most self time per request. For attribution, not for
 * before/after numbers (run.ts measures those, every variant in one run).
 *
 *   npm run build && npx tsx bench/http/profile.ts --kind iam-memory [--platform fastify]
 *     [--requests 40000] [--warmup 5000] [--interval 50] [--top 40] [--dir prof]
 *
 * The profile covers the warm-up too; both counts go into the per-request division, so a function's
 * us/request is over every request the server served.
 */

import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TestSigner } from '../../src/testing/test-signer.js';
import { bearerPool } from '../support/bench-tenant.js';
import { numberOption, option, pinToCore } from '../support/cli.js';
import { type CallFrame, frameKey } from './frame-key.js';
import type { Kind, Platform } from './server.js';
import { startServer } from './server-process.js';
import { sendsUniqueTokens, tokenLoad } from './token-load.js';

pinToCore(0);

const KIND = option('kind', 'iam-memory') as Kind;
const PLATFORM = option('platform', 'fastify') as Platform;
const REQUESTS = numberOption('requests', 40_000);
const WARMUP = numberOption('warmup', 5_000);
const INTERVAL = numberOption('interval', 50);
const TOP = numberOption('top', 40);
const DIR = resolve(option('dir', `prof/${PLATFORM}-${KIND}-${Date.now().toString(36)}`));

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

mkdirSync(DIR, { recursive: true });
const signer = TestSigner.create();
const jwks = await signer.serve();
const pool = bearerPool(signer, sendsUniqueTokens(KIND) ? REQUESTS + WARMUP : 1);
process.env.BENCH_SERVER_NODE_FLAGS = `--cpu-prof --cpu-prof-dir=${DIR} --cpu-prof-interval=${INTERVAL}`;
const server = await startServer(PLATFORM, KIND, jwks.url, {
  BENCH_REDIS_PREFIX: `iam-bench:profile:${Date.now().toString(36)}:`,
});
const load = tokenLoad(server.port, pool);
await load(WARMUP);
const result = await load(REQUESTS);
await server.stop();
await jwks.close();
if (result.non2xx > 0) console.warn(`WARNING ${result.non2xx} non-2xx`);

// The main thread's profile is the larger one (tsx's loader thread writes one too).
const [file] = readdirSync(DIR)
  .filter((name) => name.endsWith('.cpuprofile'))
  .map((name) => join(DIR, name))
  .sort((a, b) => readFileSync(b).length - readFileSync(a).length);
const profile = JSON.parse(readFileSync(file as string, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map<number, number>();
for (const node of profile.nodes)
  for (const child of node.children ?? []) parentOf.set(child, node.id);
const keyOf = (node: ProfileNode): string => frameKey(node.callFrame);
// Start at the first request: module loading and Nest's start-up are not per-request costs.
const stackOf = (id: number): ProfileNode[] => {
  const stack: ProfileNode[] = [];
  for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
    stack.push(byId.get(at) as ProfileNode);
  }
  return stack;
};
const first = profile.samples.findIndex((id) =>
  stackOf(id).some((node) => node.callFrame.functionName === 'parserOnIncoming'),
);
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
for (let i = Math.max(first, 0); i < profile.samples.length; i += 1) {
  const us = profile.timeDeltas[i] ?? 0;
  const stack = stackOf(profile.samples[i] as number);
  const leaf = keyOf(stack[0] as ProfileNode);
  self.set(leaf, (self.get(leaf) ?? 0) + us);
  for (const key of new Set(stack.map(keyOf))) inclusive.set(key, (inclusive.get(key) ?? 0) + us);
}
const served = REQUESTS + WARMUP;
const busy = [...self].filter(([key]) => !key.startsWith('(idle)'));
const busyUs = busy.reduce((sum, [, us]) => sum + us, 0);
console.log(
  `${PLATFORM} ${KIND}: ${served} requests, ${(busyUs / served).toFixed(1)} us busy per request`,
);
console.log(`profile: ${file}\n-- self time per request`);
for (const [key, us] of busy.sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
  console.log(`${(us / served).toFixed(2).padStart(7)} us  ${key}`);
}
console.log('-- inclusive time per request, the library (dist/)');
const ours = [...inclusive].filter(([key]) => key.includes(' dist/'));
for (const [key, us] of ours.sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
  console.log(`${(us / served).toFixed(2).padStart(7)} us  ${key}`);
}
