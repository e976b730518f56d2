/**
 * `npm run bench:breaker`: what the circuit breaker and bulkhead (cockatiel, through
 * `UpstreamGuard.run`) cost per attempt, in this process pinned to one core, with 10 calls in
 * flight at a time: a closed guard around an attempt that resolves at once, against the attempt
 * alone; and how long an open breaker takes to refuse (the 503 path). Options: `--calls N` per
 * round (default 200000), `--rounds N` (default 5).
 */

import { UpstreamGuard } from '../../src/resilience/upstream-guard.js';
import { numberOption as option, pinToCore } from '../support/cli.js';
import { median, spread, table } from '../support/stats.js';

pinToCore(1);

const CALLS = option('calls', 200_000);
const ROUNDS = option('rounds', 5);
const CALLERS = 10;

const settings = {
  maxConcurrent: 64,
  breaker: { enabled: true, failureThreshold: 5, halfOpenAfterMs: 3_600_000 },
};
const closed = new UpstreamGuard('bench', 'keto-read', settings, () => undefined);
const off = new UpstreamGuard(
  'bench',
  'keto-read',
  { ...settings, breaker: { ...settings.breaker, enabled: false } },
  () => undefined,
);
const open = new UpstreamGuard('bench', 'keto-read', settings, () => undefined);
const refused = () => Promise.reject(new Error('refused'));
const always = () => 'outage' as const;
for (let i = 0; i < 5; i += 1) await open.run(refused, always).catch(() => undefined);

const answer = () => Promise.resolve(1);
const variants: [string, () => Promise<unknown>][] = [
  ['attempt alone', answer],
  ['bulkhead only (breaker off)', () => off.run(answer, always)],
  ['breaker + bulkhead, closed', () => closed.run(answer, always)],
  ['breaker open: 503 at once', () => open.run(answer, always).catch(() => undefined)],
];

async function round(call: () => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      while (next < CALLS) {
        next += 1;
        await call();
      }
    }),
  );
  return Number(process.hrtime.bigint() - started) / CALLS;
}

const rows: string[][] = [];
for (const [name, call] of variants) {
  await round(call);
  const samples: number[] = [];
  for (let r = 0; r < ROUNDS; r += 1) samples.push(await round(call));
  rows.push([name, `${Math.round(median(samples))} ns`, spread(samples)]);
}
console.log(
  `${CALLS} calls per round, ${ROUNDS} rounds, ${CALLERS} in flight, node ${process.version}`,
);
console.log(table(['per call', 'median', 'spread'], rows));
