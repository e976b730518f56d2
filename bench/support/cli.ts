/** Command-line helpers shared by the benches. */

import { spawnSync } from 'node:child_process';

/** The value after `--name` on the command line, else `fallback`. */
export function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : (process.argv[index + 1] ?? fallback);
}

export function numberOption(name: string, fallback: number): number {
  return Number(option(name, String(fallback)));
}

/**
 * Runs this script again pinned to `core` with taskset, so its numbers are one core's, and exits
 * with that run's status. Does nothing inside the pinned run, or where taskset is missing.
 */
export function pinToCore(core: number): void {
  if (process.env.BENCH_PINNED !== undefined) return;
  const pinned = spawnSync(
    'taskset',
    ['-c', String(core), process.execPath, ...process.execArgv, ...process.argv.slice(1)],
    { stdio: 'inherit', env: { ...process.env, BENCH_PINNED: '1' } },
  );
  if (pinned.error === undefined) process.exit(pinned.status ?? 1);
}
