/**
 * `npm run example -- --otel` end to end: the three example apps with the OpenTelemetry SDK started
 * before Nest (examples/zero-trust/telemetry/start-telemetry.ts), real Kratos, Keto and Oathkeeper.
 * After a known sequence of requests, each app's Prometheus `/metrics` has the library's series
 * with the counts the sequence implies, and no token text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, expectAnswer } from '../../examples/zero-trust/support/http.js';
import {
  demoPassword,
  type Login,
  registerViaBff,
} from '../../examples/zero-trust/support/walkthrough.js';
import {
  startZeroTrust,
  type ZeroTrust,
} from '../../examples/zero-trust/support/zero-trust-stack.js';

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The samples of a Prometheus text exposition (comments skipped). */
function samples(text: string): Sample[] {
  const found: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (match === null) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key as string] = value as string;
    }
    found.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return found;
}

const total = (all: readonly Sample[], name: string, labels: Record<string, string>) =>
  all
    .filter(
      (sample) =>
        sample.name === name &&
        Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    )
    .reduce((sum, sample) => sum + sample.value, 0);

describe('zero-trust example with --otel: Prometheus metrics per app', () => {
  let stack: ZeroTrust | undefined;
  let user: Login;

  const zt = (): ZeroTrust => {
    if (stack === undefined) throw new Error('the stack did not start; see the beforeAll error');
    return stack;
  };
  const scrape = async (url: string | undefined): Promise<string> => {
    if (url === undefined) throw new Error('the stack serves no metrics: otel was not passed on');
    const response = await fetch(url);
    expect(response.status).toBe(200);
    return response.text();
  };

  beforeAll(async () => {
    stack = await startZeroTrust({ ports: 'free', otel: true });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('counts the requests orders-api decided, and exports no token', async () => {
    user = await registerViaBff(zt().proxy, `otel-${Date.now()}@example.com`, demoPassword);
    // Through Oathkeeper: allowed. Straight to orders-api with the session token: denied.
    expectAnswer(await call(`${zt().proxy}/orders`, { headers: bearer(user.sessionToken) }), 200);
    const bypass = await call(`${zt().ordersApi.url}/orders`, {
      headers: bearer(user.sessionToken),
    });
    expect(bypass.status).toBe(401);

    const text = await scrape(zt().metrics?.ordersApi);
    const orders = samples(text);
    const decisions = { iam_tenant: 'default', iam_decision: 'authenticate' };
    expect(total(orders, 'iam_decisions_total', { ...decisions, iam_outcome: 'allow' })).toBe(1);
    expect(total(orders, 'iam_decisions_total', { ...decisions, iam_outcome: 'deny' })).toBe(1);
    expect(total(orders, 'iam_verification_duration_count', {})).toBe(2);
    expect(total(orders, 'iam_jwks_keys', { iam_tenant: 'default' })).toBeGreaterThan(0);
    expect(total(orders, 'iam_upstream_duration_count', { iam_upstream: 'jwks' })).toBeGreaterThan(
      0,
    );
    // The allowed request's jti, held by the in-memory replay cache.
    expect(total(orders, 'iam_replay_entries', { iam_tenant: 'default' })).toBe(1);

    const texts = [
      text,
      await scrape(zt().metrics?.authBff),
      await scrape(zt().metrics?.inventoryApi),
    ];
    for (const exported of texts) {
      expect(exported).not.toContain(user.sessionToken);
      expect(exported).not.toContain(user.identityId);
    }
    console.log(
      `[zero-trust otel] orders-api exports ${orders.filter((s) => s.name.startsWith('iam_')).length} iam_* samples`,
    );
  });
});
