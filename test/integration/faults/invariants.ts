import { afterAll, beforeAll, expect } from 'vitest';
import type { JsonResponse } from '../../support/nest-app.js';
import type { ToxiproxyProxy } from '../../support/toxiproxy/client.js';
import { type FaultName, injectFault } from '../../support/toxiproxy/faults.js';

/**
 * Every `unhandledRejection` of this process while the file's tests run: the library must not
 * leave a promise rejected with no one listening, whatever the upstream did.
 */
export function watchUnhandledRejections(): () => readonly unknown[] {
  const seen: unknown[] = [];
  const record = (reason: unknown) => {
    seen.push(reason);
  };
  beforeAll(() => {
    process.on('unhandledRejection', record);
  });
  afterAll(() => {
    process.off('unhandledRejection', record);
  });
  return () => seen;
}

/** What an answer during an outage must be; `label` says which request it was in a failure. */
function outageShape(label: string, answer: JsonResponse) {
  const body = answer.body as { code?: unknown } | undefined;
  const retryAfter = Number(answer.headers.get('retry-after'));
  return {
    label,
    status: answer.status,
    code: body?.code,
    retryAfter: Number.isInteger(retryAfter) && retryAfter > 0 ? 'positive' : retryAfter,
  };
}

/**
 * The codes of an outage: the call failed, or the upstream's circuit breaker is open (after
 * `http.breaker.failureThreshold` failures) or its bulkhead full. All 503, none a decision.
 */
const OUTAGE_CODES = ['auth.upstream_unavailable', 'upstream.circuit_open', 'upstream.saturated'];

const OUTAGE = {
  status: 503,
  code: expect.toSatisfy((code: unknown) => OUTAGE_CODES.includes(String(code)), 'an outage code'),
  retryAfter: 'positive',
};

/**
 * Sends until the answer is 200. Every answer on the way must still be an outage (a connection
 * being redialled, or, with a circuit breaker, one waiting for its probe): never a decision, a 401
 * or 403 for a good credential, nor a 500. Gives up after `limitMs`, failing the test.
 */
export async function untilHealed(
  send: () => Promise<JsonResponse>,
  limitMs = 20_000,
): Promise<JsonResponse> {
  const giveUpAt = Date.now() + limitMs;
  for (let attempt = 1; ; attempt += 1) {
    const answer = await send();
    if (answer.status === 200) return answer;
    expect(outageShape(`answer ${attempt} after the heal`, answer)).toEqual({
      label: `answer ${attempt} after the heal`,
      ...OUTAGE,
    });
    if (Date.now() > giveUpAt) throw new Error(`no 200 within ${limitMs} ms after the heal`);
    // Leaves the CPU to the reconnecting client between tries.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Three concurrent requests, then one more: each must be an outage, 503 with an outage code and
 * a `Retry-After`, never a 200 nor a 401/403.
 */
export async function expectOutageAnswers(send: () => Promise<JsonResponse>): Promise<void> {
  const during = await Promise.all([send(), send(), send()]);
  during.push(await send());
  expect(during.map((answer, index) => outageShape(`request ${index + 1}`, answer))).toEqual(
    during.map((_, index) => ({ label: `request ${index + 1}`, ...OUTAGE })),
  );
}

export interface FaultTrial {
  readonly proxy: ToxiproxyProxy;
  readonly fault: FaultName;
  /** The client's timeout for that upstream, which the fault's delays exceed. */
  readonly timeoutMs: number;
  /** One request that answers 200 while the upstream is healthy. */
  readonly send: () => Promise<JsonResponse>;
  readonly unhandledRejections: () => readonly unknown[];
}

/**
 * The invariants of one fault on one upstream: before it the request is allowed; during it every
 * request gets 503 with `Retry-After` (see {@link expectOutageAnswers}); once the fault is
 * removed the next requests succeed without restarting anything; no promise was left rejected
 * unhandled. No durations are asserted: the fault's delays only exceed the configured timeouts.
 */
export async function proveFault(trial: FaultTrial): Promise<void> {
  const { proxy, fault, timeoutMs, send } = trial;
  const rejectionsBefore = trial.unhandledRejections().length;
  expect((await send()).status).toBe(200);
  const heal = await injectFault(proxy, fault, timeoutMs);
  try {
    await expectOutageAnswers(send);
  } finally {
    await heal();
  }
  await untilHealed(send);
  expect((await send()).status).toBe(200);
  expect(trial.unhandledRejections().slice(rejectionsBefore)).toEqual([]);
}
