/**
 * `bench/http/allocations.ts`: what each server variant of `bench/http` allocates per request,
 * from V8's sampling heap profiler keeping the samples of freed objects too. Bytes allocated are
 * what the young-generation collector pays for: time measures the cost, this shows who causes it.
 *
 *   npm run build && npx tsx bench/http/allocations.ts --kinds bare,iam-memory,signature-only,fast-jwt
 *     [--platform fastify] [--requests 20000] [--warmup 10000] [--top 25] [--dir prof]
 *
 * Sampled (an object every 1 KB on average, scaled up by V8), so a function's bytes per request
 * move by a few percent between runs; the totals are steadier.
 */

import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TestSigner } from '../../src/testing/test-signer.js';
import { bearerPool } from '../support/bench-tenant.js';
import { numberOption, option, pinToCore } from '../support/cli.js';
import { type CallFrame, frameKey } from './frame-key.js';
import type { Kind, Platform } from './server.js';
import { startServer } from './server-process.js';
import { sendsUniqueTokens, tokenLoad } from './token-load.js';

pinToCore(0);

const KINDS = option('kinds', 'bare,iam-memory,signature-only,fast-jwt').split(',') as Kind[];
const PLATFORM = option('platform', 'fastify') as Platform;
const REQUESTS = numberOption('requests', 20_000);
const WARMUP = numberOption('warmup', 10_000);
const TOP = numberOption('top', 25);
const DIR = resolve(option('dir', `prof/allocations-${PLATFORM}-${Date.now().toString(36)}`));

interface HeapNode {
  callFrame: CallFrame;
  selfSize: number;
  children: HeapNode[];
}

/** Bytes by allocating function (self), and by every function on the stack (inclusive). */
function tally(head: HeapNode): { self: Map<string, number>; inclusive: Map<string, number> } {
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const walk = (node: HeapNode, onStack: ReadonlySet<string>): void => {
    const key = frameKey(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + node.selfSize);
    const stack = new Set(onStack).add(key);
    for (const frame of stack) inclusive.set(frame, (inclusive.get(frame) ?? 0) + node.selfSize);
    for (const child of node.children) walk(child, stack);
  };
  walk(head, new Set());
  return { self, inclusive };
}

const perRequest = (bytes: number): string => `${(bytes / REQUESTS).toFixed(0).padStart(7)} B`;

mkdirSync(DIR, { recursive: true });
const signer = TestSigner.create();
const jwks = await signer.serve();
for (const kind of KINDS) {
  const pool = bearerPool(signer, sendsUniqueTokens(kind) ? REQUESTS + WARMUP : 1);
  const server = await startServer(PLATFORM, kind, jwks.url, {
    BENCH_REDIS_PREFIX: `iam-bench:allocations:${Date.now().toString(36)}:`,
  });
  const load = tokenLoad(server.port, pool);
  const warm = await load(WARMUP);
  const file = join(DIR, `${kind}.heapprofile`);
  let measured: Awaited<ReturnType<typeof load>> | undefined;
  await server.sampleAllocations(file, async () => {
    measured = await load(REQUESTS);
  });
  await server.stop();
  const non2xx = warm.non2xx + (measured?.non2xx ?? 0);
  const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: HeapNode };
  const { self, inclusive } = tally(head);
  const total = [...self.values()].reduce((sum, bytes) => sum + bytes, 0);
  console.log(`\n${PLATFORM} ${kind}: ${perRequest(total)} allocated per request (${file})`);
  if (non2xx > 0) console.warn(`WARNING ${non2xx} non-2xx`);
  console.log('-- self, per request');
  for (const [key, bytes] of [...self].sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
    console.log(`${perRequest(bytes)}  ${key}`);
  }
  const ours = [...inclusive].filter(([key]) => key.includes(' dist/'));
  if (ours.length > 0) console.log('-- inclusive, per request, the library (dist/)');
  for (const [key, bytes] of ours.sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
    console.log(`${perRequest(bytes)}  ${key}`);
  }
}
await jwks.close();
