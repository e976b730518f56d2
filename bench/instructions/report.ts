/**
 * The table of `bench/instructions` and issue 17's ratios, in instructions, or in estimated cycles
 * when the caches were simulated.
 */

import type { Kind, Platform } from '../http/server.js';
import { table } from '../support/stats.js';

export interface Measured {
  readonly name: string;
  readonly platform: Platform;
  readonly kind: Kind;
  /**
   * User-space instructions per request (estimated cycles with the caches simulated), V8's JIT
   * compiling left out: the windows' median.
   */
  readonly perRequest: number;
  /** The same in each window. */
  readonly perWindow: readonly number[];
  /** V8's JIT compiling per request in the window, left out of `perRequest`. */
  readonly jit: number;
  /** With the caches simulated: the windows' medians of each count. */
  readonly caches?: {
    readonly instructions: number;
    readonly l1Misses: number;
    readonly l2Misses: number;
  };
}

const thousands = (value: number) =>
  Number.isFinite(value) ? `${(value / 1_000).toFixed(1)}k` : '-';
const signed = (value: number) => (value >= 0 ? '+' : '') + thousands(value);
const ratio = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}x` : '-');

export function report(results: readonly Measured[], unit = 'instructions'): string {
  const find = (platform: Platform, kind: Kind) =>
    results.find((result) => result.platform === platform && result.kind === kind);
  const added = (result: Measured | undefined) => {
    const bare = result === undefined ? undefined : find(result.platform, 'bare');
    return result === undefined || bare === undefined
      ? Number.NaN
      : result.perRequest - bare.perRequest;
  };
  const rows = results.map((result) => [
    result.name,
    thousands(result.perRequest),
    `${thousands(Math.min(...result.perWindow))}-${thousands(Math.max(...result.perWindow))}`,
    result.kind === 'bare' ? '0' : signed(added(result)),
    ...(['signature-only', 'fast-jwt'] as const).map((other) =>
      result.kind === 'bare' ? '-' : ratio(added(result) / added(find(result.platform, other))),
    ),
    thousands(result.jit),
    ...(result.caches === undefined
      ? []
      : [
          thousands(result.caches.instructions),
          thousands(result.caches.l1Misses),
          thousands(result.caches.l2Misses),
        ]),
  ]);
  const simulated = results.some((result) => result.caches !== undefined);
  const lines = [
    table(
      [
        'variant',
        `${unit}/req`,
        'windows spread',
        'added',
        'added vs floor',
        'added vs fast-jwt',
        'JIT left out/req',
        ...(simulated ? ['instructions/req', 'L1 misses/req', 'L2 misses/req'] : []),
      ],
      rows,
    ),
    '',
  ];
  for (const platform of ['fastify', 'express'] as const) {
    const memory = find(platform, 'iam-memory');
    const floor = find(platform, 'signature-only');
    if (memory === undefined || floor === undefined) continue;
    const ours = added(memory);
    const redis = find(platform, 'iam-redis');
    const off = find(platform, 'iam-replay-off');
    lines.push(
      `Issue 17's ratios (${platform}, ${unit} added to the bare route):`,
      `  ours / floor: ${ratio(ours / added(floor))} (target <= 1.30x)`,
      `  ours / fast-jwt: ${ratio(ours / added(find(platform, 'fast-jwt')))} (target < 1.00x)`,
      `  Redis - in-memory: ${redis === undefined ? '-' : signed(redis.perRequest - memory.perRequest)}`,
      `  replay off, resent token, added: ${off === undefined ? '-' : signed(added(off))}`,
      `  over the floor, ours: ${signed(memory.perRequest - floor.perRequest)}`,
      `  ours / the baseline build's (added): ${ratio(ours / added(find(platform, 'iam-memory-baseline')))}`,
      '',
    );
  }
  return lines.join('\n');
}
