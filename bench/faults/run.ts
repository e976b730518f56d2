/**
 * `npm run faults`: issue 15 item 7 measured. The real Kratos, Keto, Oathkeeper JWKS and Redis
 * each behind Toxiproxy, one Nest app per upstream in this process with the library's default
 * options, and a table of what was measured next to the targets. It prints numbers and
 * asserts nothing; the invariants that must always hold are the fault tests
 * (test/integration/faults/).
 *
 *   npm run faults -- [--scenario all|hang|keto-load|client-abort] [--upstreams keto,kratos,redis,jwks]
 *     [--requests 20] [--rate 100] [--seconds 20] [--clients 50] [--give-up-ms 2000]
 *     [--settle 20] [--platform express|fastify]
 *
 * - hang: per upstream, `--requests` requests 50 ms apart while it hangs: time to 503 (p50, p99,
 *   and p99 of the later half, where an open breaker would show), attempts per request, then the
 *   heal and the time to the first 200. The JWKS case is a service starting during the hang.
 * - keto-load: `--rate` requests/s into a hanging Keto for `--seconds`: open sockets to Keto
 *   (`ss`), RSS, event-loop delay (perf_hooks), attempts per request (diagnostics_channel), 200s
 *   during the fault, then the heal with the load on and the time to the first 200.
 * - client-abort: `--clients` clients at once, each giving up after `--give-up-ms`, Keto hanging:
 *   attempts reaching Keto, and those started after the clients left, watched for `--settle` s.
 *
 * The load generator shares this process with the apps (so does the event-loop delay it sees):
 * at 100 requests/s its own share is small. Needs what `npm test` installs (scripts/ory/install,
 * scripts/toxiproxy/install) and Redis on 127.0.0.1:6379.
 */

import type { Platform } from '../../test/support/nest-app.js';
import { numberOption, option } from '../support/cli.js';
import { table } from '../support/stats.js';
import { startRig, UPSTREAMS, type Upstream } from './rig.js';
import { clientAbortScenario, hangScenario, ketoLoadScenario, type Row } from './scenarios.js';

const SCENARIO = option('scenario', 'all');
const UPSTREAM_LIST = option('upstreams', UPSTREAMS.join(',')).split(',') as Upstream[];
const REQUESTS = numberOption('requests', 20);
const RATE = numberOption('rate', 100);
const SECONDS = numberOption('seconds', 20);
const CLIENTS = numberOption('clients', 50);
const GIVE_UP_MS = numberOption('give-up-ms', 2_000);
const SETTLE = numberOption('settle', 20);
const PLATFORM = option('platform', 'express') as Platform;

const SCENARIOS = ['hang', 'keto-load', 'client-abort'];
if (SCENARIO !== 'all' && !SCENARIOS.includes(SCENARIO)) {
  console.error(`--scenario must be all or one of ${SCENARIOS.join(', ')}`);
  process.exit(2);
}
const unknown = UPSTREAM_LIST.filter((upstream) => !UPSTREAMS.includes(upstream));
if (unknown.length > 0) {
  console.error(`--upstreams: unknown ${unknown.join(', ')} (known: ${UPSTREAMS.join(', ')})`);
  process.exit(2);
}
const wanted = (scenario: string) => SCENARIO === 'all' || SCENARIO === scenario;

const rig = await startRig(PLATFORM);
const rows: Row[] = [];
try {
  if (wanted('hang')) {
    for (const upstream of UPSTREAM_LIST) {
      console.error(`hang: ${upstream}`);
      rows.push(...(await hangScenario(rig, upstream, REQUESTS)));
    }
  }
  // Before the load, whose retries that succeed after the heal leave Node's agent holding up to
  // 256 idle sockets to Keto for a few seconds, which would blur the sockets counted here.
  if (wanted('client-abort')) {
    console.error(`client-abort: ${CLIENTS} clients, watched ${SETTLE} s`);
    rows.push(...(await clientAbortScenario(rig, CLIENTS, GIVE_UP_MS, SETTLE)));
  }
  if (wanted('keto-load')) {
    console.error(`keto-load: ${RATE}/s for ${SECONDS} s`);
    rows.push(...(await ketoLoadScenario(rig, RATE, SECONDS)));
  }
} finally {
  await rig.stop();
}

const command = [
  'npm run faults',
  ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : []),
];
console.log(
  `\n${command.join(' ')}: ${new Date().toISOString()}, ${PLATFORM}, Node ${process.version}, library defaults\n`,
);
console.log(table(['scenario', 'measure', 'value', 'issue 15 target'], rows));
// Apps closed, yet sockets the hanging upstreams never answered may keep the loop alive.
process.exit(0);
