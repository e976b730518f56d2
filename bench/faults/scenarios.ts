/**
 * The scenarios of issue 15 item 7. Each breaks one upstream through its proxy, measures, heals
 * it, and returns rows of the report: what was measured next to the target. Nothing here
 * passes or fails: the numbers are the result.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { injectFault } from '../../test/support/toxiproxy/faults.js';
import { clock } from './clock.js';
import {
  AttemptCounter,
  openSockets,
  ProcessSampler,
  percentile,
  RejectionCounter,
} from './meters.js';
import type { AppUnderTest, Rig, Upstream } from './rig.js';
import { type Answer, firstOk, SteadyLoad, send } from './traffic.js';

/** scenario, measure, value, target. */
export type Row = readonly [string, string, string, string];

/** The library's default timeout of one call: what the fault's delays are sized against. */
const DEFAULT_TIMEOUT_MS = 5_000;

const ms = (value: number | undefined) =>
  value === undefined || Number.isNaN(value)
    ? '-'
    : `${Math.round(value).toLocaleString('en-US')} ms`;
const mb = (value: number) => `${value.toFixed(1)} MB`;

/** `503 x19, 0 x1`: how many answers had each status (0: the client gave up). */
function statuses(answers: readonly Answer[]): string {
  const counts = new Map<number, number>();
  for (const answer of answers) counts.set(answer.status, (counts.get(answer.status) ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, count]) => `${status} x${count}`)
    .join(', ');
}

const allowed = (answers: readonly Answer[]) =>
  answers.filter((answer) => answer.status >= 200 && answer.status < 300).length;

async function warmApp(rig: Rig, upstream: Upstream): Promise<AppUnderTest> {
  const app = await rig.startApp(upstream);
  if ((await firstOk(app, 30_000)) === undefined) {
    await app.close();
    throw new Error(`the ${upstream} app never answered 200 with a healthy upstream`);
  }
  return app;
}

/**
 * Time to 503 with a hanging upstream: `requests` requests, one every 50 ms, all answered while the
 * upstream hangs (connections accepted, nothing answered). `jwks` is a service starting during the
 * hang (one holding keys does not ask the JWKS). Then the heal, and the time to the first 200.
 */
export async function hangScenario(rig: Rig, upstream: Upstream, requests: number): Promise<Row[]> {
  const name = `hang: ${upstream}`;
  const rejections = new RejectionCounter();
  const proxy = rig.proxies[upstream];
  const attempts = new AttemptCounter(proxy.port);
  let app: AppUnderTest | undefined;
  try {
    let heal: () => Promise<void>;
    // The JWKS fetches of a cold service count from its start: requests share the one in flight.
    let before = 0;
    if (upstream === 'jwks') {
      heal = await injectFault(proxy, 'hang', DEFAULT_TIMEOUT_MS);
      app = await rig.startApp(upstream);
    } else {
      app = await warmApp(rig, upstream);
      before = attempts.count;
      heal = await injectFault(proxy, 'hang', DEFAULT_TIMEOUT_MS);
    }
    const pending: Promise<Answer>[] = [];
    for (let index = 0; index < requests; index += 1) {
      pending.push(send(app));
      await sleep(50);
    }
    const answers = await Promise.all(pending);
    const tried = attempts.count - before;
    // Stamped before the call: the fault may be gone before the call returns.
    const healedAt = clock();
    await heal();
    const firstOkAt = await firstOk(app);
    const times = answers.map((answer) => answer.doneAt - answer.sentAt);
    const half = times.slice(Math.floor(times.length / 2));
    return [
      [name, 'answers', statuses(answers), 'all 503'],
      [
        name,
        'time to answer p50 / p99 / max',
        `${ms(percentile(times, 50))} / ${ms(percentile(times, 99))} / ${ms(Math.max(...times))}`,
        'p99 <= deadline + 100 ms',
      ],
      [
        name,
        'time to answer p99, later half',
        ms(percentile(half, 99)),
        'breaker open: p99 <= 5 ms',
      ],
      [
        name,
        'attempts reaching the upstream per request',
        upstream === 'redis' ? '- (not counted)' : (tried / requests).toFixed(2),
        '<= 1.2',
      ],
      [name, 'allowed during the fault', String(allowed(answers)), '0'],
      [
        name,
        'heal to first 200',
        firstOkAt === undefined ? 'none in 60 s' : ms(firstOkAt - healedAt),
        '<= probe interval + 1 s',
      ],
      [name, 'unhandled rejections', String(rejections.count), '0'],
    ];
  } finally {
    attempts.close();
    rejections.close();
    await app?.close();
  }
}

/**
 * `rate` requests/s into a hanging Keto for `seconds`: sockets to Keto, RSS, event-loop delay and
 * attempts while it hangs, then the heal with the load still on, and the first 200 after it.
 */
export async function ketoLoadScenario(rig: Rig, rate: number, seconds: number): Promise<Row[]> {
  const name = `${rate}/s into hanging Keto, ${seconds} s`;
  const app = await warmApp(rig, 'keto');
  const rejections = new RejectionCounter();
  const attempts = new AttemptCounter(rig.proxies.keto.port);
  try {
    // Sockets the app keeps alive from its warm-up (Node's agent pools idle ones).
    const socketsBefore = await openSockets(rig.proxies.keto.port);
    const heal = await injectFault(rig.proxies.keto, 'hang', DEFAULT_TIMEOUT_MS);
    const sampler = new ProcessSampler(rig.proxies.keto.port);
    const load = new SteadyLoad(app, rate);
    await sleep(seconds * 1_000);
    const triedDuringFault = attempts.count;
    const allowedDuringFault = allowed(load.arrived);
    const socketsAtEnd = await openSockets(rig.proxies.keto.port);
    const usage = await sampler.stop();
    // Stamped before the call: the fault may be gone before the call returns.
    const healedAt = clock();
    await heal();
    let firstOkAt: number | undefined;
    while (firstOkAt === undefined && clock() - healedAt < 60_000) {
      firstOkAt = load.arrived.find(
        (answer) => answer.status === 200 && answer.doneAt >= healedAt,
      )?.doneAt;
      await sleep(10);
    }
    const answers = await load.drain(await load.stopSending());
    const duringFault = answers.filter((answer) => answer.sentAt < healedAt);
    const sentDuringFault = duringFault.length;
    const beforeHeal = duringFault.filter((answer) => answer.doneAt < healedAt);
    const afterHeal = duringFault.filter((answer) => answer.doneAt >= healedAt);
    const times = beforeHeal.map((answer) => answer.doneAt - answer.sentAt);
    return [
      [name, 'requests sent during the fault', String(sentDuringFault), ''],
      [name, 'of those, answered before the heal', statuses(beforeHeal) || '-', 'all 503'],
      [name, 'of those, still in flight at the heal', statuses(afterHeal) || '-', 'none'],
      [
        name,
        'time to answer p50 / p99 (answered before the heal)',
        `${ms(percentile(times, 50))} / ${ms(percentile(times, 99))}`,
        'p99 <= deadline + 100 ms',
      ],
      [
        name,
        'open sockets to Keto, idle before / max / at the end',
        `${socketsBefore ?? '-'} / ${sampler.maxSockets ?? '-'} / ${socketsAtEnd ?? '-'}`,
        '<= bulkhead cap',
      ],
      [
        name,
        'RSS start / max / growth',
        `${mb(sampler.rssStartMb)} / ${mb(sampler.rssMaxMb)} / ${mb(usage.rssEndMb - sampler.rssStartMb)}`,
        'growth <= 20 MB',
      ],
      [
        name,
        'event-loop delay p99 / max',
        `${ms(usage.loopP99Ms)} / ${ms(usage.loopMaxMs)}`,
        'p99 <= 50 ms',
      ],
      [
        name,
        'attempts reaching Keto per request',
        (triedDuringFault / Math.max(1, sentDuringFault)).toFixed(2),
        '<= 1.2',
      ],
      [name, 'allowed during the fault', String(allowedDuringFault), '0'],
      [
        name,
        'heal to first 200 (load still on)',
        firstOkAt === undefined ? 'none in 60 s' : ms(firstOkAt - healedAt),
        '<= probe interval + 1 s',
      ],
      [name, 'unhandled rejections', String(rejections.count), '0'],
    ];
  } finally {
    attempts.close();
    rejections.close();
    await app.close();
  }
}

/**
 * `clients` clients at once against a hanging Keto, each giving up after `giveUpMs`: how many
 * attempts still reach Keto after they are gone (nobody is waiting for those answers), and the
 * sockets to Keto left open, observed for `settleSeconds` after they gave up.
 */
export async function clientAbortScenario(
  rig: Rig,
  clients: number,
  giveUpMs: number,
  settleSeconds: number,
): Promise<Row[]> {
  const name = `${clients} clients give up after ${giveUpMs / 1_000} s, Keto hangs`;
  const app = await warmApp(rig, 'keto');
  const rejections = new RejectionCounter();
  const attempts = new AttemptCounter(rig.proxies.keto.port);
  try {
    const socketsBefore = await openSockets(rig.proxies.keto.port);
    const heal = await injectFault(rig.proxies.keto, 'hang', DEFAULT_TIMEOUT_MS);
    const answers = await Promise.all(Array.from({ length: clients }, () => send(app, giveUpMs)));
    const goneAt = clock();
    const socketsAtGiveUp = await openSockets(rig.proxies.keto.port);
    await sleep(settleSeconds * 1_000);
    const socketsAfter = await openSockets(rig.proxies.keto.port);
    const after = attempts.startedAt.filter((at) => at > goneAt).length;
    await heal();
    return [
      [name, 'client answers', statuses(answers), '0 = gave up'],
      [
        name,
        'attempts reaching Keto in all / per client',
        `${attempts.count} / ${(attempts.count / clients).toFixed(2)}`,
        '<= 1.2 per request',
      ],
      [
        name,
        `attempts started after the clients gave up (${settleSeconds} s watched)`,
        String(after),
        '0 (cancelled)',
      ],
      [
        name,
        'open sockets to Keto, idle before / at give-up / after the watch',
        `${socketsBefore ?? '-'} / ${socketsAtGiveUp ?? '-'} / ${socketsAfter ?? '-'}`,
        'none left after',
      ],
      [name, 'allowed', String(allowed(answers)), '0'],
      [name, 'unhandled rejections', String(rejections.count), '0'],
    ];
  } finally {
    attempts.close();
    rejections.close();
    await app.close();
  }
}
