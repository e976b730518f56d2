/** The table and the targets for `bench/http`, from the samples of one run. */

import { median, spread, table } from '../support/stats.js';
import type { Kind, Platform } from './server.js';

export interface VariantResult {
  readonly name: string;
  readonly platform: Platform;
  readonly kind: Kind;
  /** Requests served, per round. */
  readonly requests: readonly number[];
  /** Per round. */
  readonly rps: readonly number[];
  /** Latency per round, in ms. */
  readonly p50: readonly number[];
  readonly p99: readonly number[];
  /** Server CPU time per request, per round, in microseconds. */
  readonly cpu: readonly number[];
  /** The kernel's part of `cpu` (system time: sockets, loopback TCP), per round. */
  readonly system: readonly number[];
  /** Session checks that reached Kratos, per round: the cache misses of the cookie variant. */
  readonly kratosCalls: readonly number[];
  /** Non-2xx answers and errors over the measured rounds: must be 0. */
  readonly non2xx: number;
}

function find(results: readonly VariantResult[], platform: Platform, kind: Kind) {
  return results.find((result) => result.platform === platform && result.kind === kind);
}

/** Server CPU per request that a variant adds to the bare route of its platform. */
export function addedCpu(results: readonly VariantResult[], result: VariantResult): number {
  const bare = find(results, result.platform, 'bare');
  return bare === undefined ? Number.NaN : median(result.cpu) - median(bare.cpu);
}

/**
 * `result`'s CPU added to the bare route over `other`'s, round by round: each round measures every
 * variant within seconds of the others, so a machine whose speed drifts over the run moves both
 * sides of a round's ratio together. The median and range of those ratios.
 */
export function pairedRatio(
  results: readonly VariantResult[],
  result: VariantResult,
  other: VariantResult,
): { median: number; min: number; max: number } {
  const bare = find(results, result.platform, 'bare');
  const ratios = result.cpu.map((cpu, round) => {
    const base = bare?.cpu[round] ?? Number.NaN;
    return (cpu - base) / ((other.cpu[round] ?? Number.NaN) - base);
  });
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}

const ratio = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}x` : '-');
const signed = (value: number) => (value >= 0 ? `+${value.toFixed(1)}` : value.toFixed(1));

export function report(results: readonly VariantResult[]): string {
  const rows = results.map((result) => {
    const bare = find(results, result.platform, 'bare');
    const jose = find(results, result.platform, 'jose');
    const passport = find(results, result.platform, 'passport');
    const added = addedCpu(results, result);
    const addedBy = (other: VariantResult | undefined) =>
      other === undefined || result.kind === 'bare' ? Number.NaN : added / addedCpu(results, other);
    return [
      result.name,
      Math.round(median(result.rps)).toLocaleString('en-US'),
      `${Math.round(Math.min(...result.rps))}-${Math.round(Math.max(...result.rps))}`,
      median(result.p50).toFixed(0),
      median(result.p99).toFixed(0),
      median(result.cpu).toFixed(1),
      spread(result.cpu),
      median(result.system).toFixed(1),
      result.kind === 'bare' ? '0' : signed(added),
      bare === undefined ? '-' : ratio(median(result.rps) / median(bare.rps)),
      ratio(addedBy(jose)),
      ratio(addedBy(passport)),
      String(result.non2xx),
    ];
  });
  const lines = [
    table(
      [
        'variant',
        'req/s',
        'req/s spread',
        'p50 ms',
        'p99 ms',
        'CPU us/req',
        'CPU spread',
        'of which sys',
        'added us',
        'req/s vs bare',
        'added vs jose',
        'added vs passport',
        'non-2xx',
      ],
      rows,
    ),
    '',
    ...kratosHits(results),
    ...targets(results),
  ];
  return lines.join('\n');
}

/** How many requests of the Kratos cookie variant the session cache answered. */
function kratosHits(results: readonly VariantResult[]): string[] {
  return results
    .filter((result) => result.kind === 'iam-kratos-cookie')
    .map((result) => {
      const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
      const calls = sum(result.kratosCalls);
      const requests = sum(result.requests);
      const hits = (100 * (requests - calls)) / requests;
      return `${result.name}: ${calls} of ${requests} requests reached Kratos (session cache hits: ${hits.toFixed(3)}%).`;
    })
    .concat(['']);
}

/** Issue 17's targets, per platform: met or missed, from this run. */
export function targets(results: readonly VariantResult[]): string[] {
  const lines: string[] = [];
  for (const platform of ['fastify', 'express'] as const) {
    const get = (kind: Kind) => find(results, platform, kind);
    const memory = get('iam-memory');
    const floor = get('signature-only');
    if (memory === undefined || floor === undefined) continue;
    const ours = addedCpu(results, memory);
    const check = (label: string, value: number, limit: number, unit: string) =>
      `${value <= limit ? 'met   ' : 'MISSED'} ${label}: ${value.toFixed(unit === 'x' ? 2 : 1)}${unit} (target <= ${limit.toFixed(unit === 'x' ? 2 : 1)}${unit})`;
    lines.push(`Targets (${platform}, server CPU added to the bare route):`);
    lines.push(
      check(
        'ours, in-memory replay, vs what the floor adds',
        ours / addedCpu(results, floor),
        1.3,
        'x',
      ),
    );
    const fastJwt = get('fast-jwt');
    if (fastJwt !== undefined) {
      lines.push(
        check('ours vs what the fast-jwt guard adds', ours / addedCpu(results, fastJwt), 1, 'x'),
      );
    }
    for (const [label, other] of [
      ['the floor', floor],
      ['fast-jwt', fastJwt],
    ] as const) {
      if (other === undefined) continue;
      const paired = pairedRatio(results, memory, other);
      lines.push(
        `       round by round, ours / ${label}: median ${ratio(paired.median)} (${ratio(paired.min)}-${ratio(paired.max)})`,
      );
    }
    const fewest = get('fewest-checks');
    if (fewest !== undefined) {
      const paired = pairedRatio(results, fewest, floor);
      lines.push(
        `       round by round, the fewest checks / the floor: median ${ratio(paired.median)} (${ratio(paired.min)}-${ratio(paired.max)}): at least what any guard that checks claims adds`,
      );
    }
    const off = get('iam-replay-off');
    if (off !== undefined)
      lines.push(check('ours, replay off, one token', addedCpu(results, off), 15, ' us'));
    const redis = get('iam-redis');
    if (redis !== undefined) {
      lines.push(
        check('Redis replay over in-memory', median(redis.cpu) - median(memory.cpu), 15, ' us'),
      );
    }
    const baseline = get('iam-memory-baseline');
    if (baseline !== undefined) {
      lines.push(
        `ours added / the baseline build's added: ${ratio(ours / addedCpu(results, baseline))}`,
      );
    }
    const offBaseline = get('iam-replay-off-baseline');
    if (off !== undefined && offBaseline !== undefined) {
      lines.push(
        `replay off, one token: added ${addedCpu(results, off).toFixed(1)} us, the baseline build's ${addedCpu(results, offBaseline).toFixed(1)} us`,
      );
    }
    const overFloor = (variant: VariantResult) => median(variant.cpu) - median(floor.cpu);
    lines.push(
      `The floor adds ${addedCpu(results, floor).toFixed(1)} us; over it ours costs ${overFloor(memory).toFixed(1)} us` +
        (fastJwt === undefined ? '.' : `, the fast-jwt guard ${overFloor(fastJwt).toFixed(1)} us.`),
      '',
    );
  }
  return lines.length === 0 ? ['(targets need the floor and ours)'] : lines;
}
