/**
 * `bench/memory/per-jti.ts`: bytes per live jti in the in-memory replay cache, and what a claim
 * costs when a partition is full. Each variant runs in a fresh process; memory is heap plus array
 * buffers (the cache's typed arrays live outside the JS heap, so heapUsed alone would flatter it),
 * after a full GC, before and after claiming `--jtis` unique keys that stay live.
 *
 *   node --expose-gc --import tsx bench/memory/per-jti.ts [--jtis 1000000]
 *
 * Variants: the cache with 1,000 subjects; the cache with a subject per jti (its worst case); and
 * a Map from key string to expiry, which is how the cache held jtis before (for comparison).
 */

import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { InMemoryReplayCache } from '../../src/replay/in-memory-replay-cache.js';
import { numberOption, option } from '../support/cli.js';
import { table } from '../support/stats.js';

const JTIS = numberOption('jtis', 1_000_000);
const VARIANTS = ['cache, 1,000 subjects', 'cache, a subject per jti', 'Map<string, number>'];
const REFUSALS = 100_000;

/** After full GCs and a pause: V8 frees the backing stores of dropped typed arrays later. */
async function retainedBytes(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  await new Promise((resolve) => setTimeout(resolve, 200));
  gc?.();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/**
 * A key as the verifier builds it: a jti parsed from the token's JSON (a flat string, unlike
 * randomUUID's own result, which is a tree of many small strings) after the tenant.
 */
const key = () => `default:${JSON.parse(`"${randomUUID()}"`) as string}`;

async function measure(variant: string): Promise<Record<string, number>> {
  const before = await retainedBytes();
  if (variant === 'Map<string, number>') {
    const map = new Map<string, number>();
    for (let i = 0; i < JTIS; i += 1) map.set(key(), Date.now() + 600_000);
    return { bytes: ((await retainedBytes()) - before) / JTIS, held: map.size };
  }
  const subjects = variant === 'cache, 1,000 subjects' ? 1_000 : JTIS;
  const cache = new InMemoryReplayCache({ maxEntries: JTIS, maxSubjectSharePercent: 100 });
  const claimStart = performance.now();
  for (let i = 0; i < JTIS; i += 1) {
    await cache.claim(key(), 600_000, { tenant: 'default', subject: `subject-${i % subjects}` });
  }
  const claimUs = ((performance.now() - claimStart) * 1_000) / JTIS;
  const bytes = ((await retainedBytes()) - before) / JTIS;
  // Full now: every further claim is refused. Keys are made beforehand so only the claim is timed.
  const keys = Array.from({ length: REFUSALS }, key);
  const context = { tenant: 'default', subject: 'subject-0' };
  const workBefore = cache.expiryWork;
  const refuseStart = performance.now();
  let refused = 0;
  for (const fresh of keys) await cache.claim(fresh, 600_000, context).catch(() => (refused += 1));
  const refuseUs = ((performance.now() - refuseStart) * 1_000) / REFUSALS;
  cache.close();
  return {
    bytes,
    held: cache.size,
    claimUs,
    refuseUs,
    refused,
    expiryWork: cache.expiryWork - workBefore,
  };
}

const variant = option('variant', '');
if (variant !== '') {
  console.log(JSON.stringify(await measure(variant)));
} else {
  const rows: string[][] = [];
  for (const name of VARIANTS) {
    const run = spawnSync(
      process.execPath,
      [...process.execArgv, process.argv[1] ?? '', '--variant', name, '--jtis', String(JTIS)],
      { encoding: 'utf8' },
    );
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as Record<
      string,
      number
    >;
    const fixed = (value: number | undefined, digits: number) => value?.toFixed(digits) ?? '-';
    rows.push([
      name,
      (result.held ?? 0).toLocaleString('en-US'),
      fixed(result.bytes, 1),
      fixed(((result.bytes ?? 0) * 1_000_000) / 1_048_576, 1),
      fixed(result.claimUs, 2),
      fixed(result.refuseUs, 2),
      result.refused === undefined ? '-' : `${result.refused} / ${REFUSALS}`,
      result.expiryWork === undefined ? '-' : String(result.expiryWork),
    ]);
  }
  console.log(
    `${table(
      [
        'variant',
        'jtis held',
        'bytes/jti',
        'MB per 1M',
        'claim us',
        'refused claim us (full)',
        'refused',
        'expiry work while full',
      ],
      rows,
    )}\n\nNode ${process.version}; bytes are heap + array buffers after a full GC.`,
  );
}
