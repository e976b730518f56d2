/**
 * Issue 15 item 2 against the real Keto: the tenant's Keto read breaker opens while Keto's port
 * refuses (a relay in front of the real server, taken down) and closes on the probe once the
 * relay is back; with a hanging Keto the bulkhead caps the calls in flight and the breaker opens
 * on the timeouts as they happen.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HangingServer } from '../../support/hanging-server.js';
import { firstAnswerWith, type JsonResponse, PLATFORMS } from '../../support/nest-app.js';
import { useOryStack } from '../../support/ory/vitest.js';
import { TcpProxy } from '../../support/tcp-proxy.js';
import { ListingsController } from './controllers.js';
import { KetoAdmin, type KetoApp, ketoUrls, newId, startKetoApp } from './support.js';

const codeOf = (answer: JsonResponse) => (answer.body as { code?: string }).code;

describe.each(PLATFORMS)('Keto read breaker on %s', (platform) => {
  const ory = useOryStack({ kratos: false });
  let relay: TcpProxy;
  let app: KetoApp;

  beforeAll(async () => {
    const { port } = new URL(ketoUrls(ory()).readUrl);
    relay = new TcpProxy('127.0.0.1', Number(port));
    await relay.start();
    app = await startKetoApp(
      platform,
      { readUrl: `http://127.0.0.1:${relay.port}` },
      [ListingsController],
      { timeoutMs: 1_000, retries: 0, breaker: { failureThreshold: 3, halfOpenAfterMs: 1_000 } },
    );
  });
  afterAll(async () => {
    await app?.close();
    await relay?.stop();
  });

  it('opens after 3 refused checks, answers 503 upstream.circuit_open with Retry-After without asking Keto, and closes on the probe once Keto is back', async () => {
    const [user, listing] = [newId('user'), newId('listing')];
    await new KetoAdmin(ketoUrls(ory()).writeUrl).write({
      namespace: 'listings',
      object: listing,
      relation: 'view',
      subject: user,
    });
    const view = () => app.as(user, `/listings/${listing}`);
    expect((await view()).status).toBe(200);

    app.events.length = 0;
    await relay.stop();
    const whileDown: JsonResponse[] = [];
    for (let i = 0; i < 5; i += 1) whileDown.push(await view());
    expect(whileDown.map((answer) => [answer.status, codeOf(answer)])).toEqual([
      [503, 'auth.upstream_unavailable'],
      [503, 'auth.upstream_unavailable'],
      [503, 'auth.upstream_unavailable'],
      [503, 'upstream.circuit_open'],
      [503, 'upstream.circuit_open'],
    ]);
    const open = whileDown[3] as JsonResponse;
    expect(Number(open.headers.get('retry-after'))).toBe(1);
    expect(JSON.stringify(open.body)).not.toContain('127.0.0.1');
    const opened = app.events.find((event) => event.name === 'upstream.breaker.opened');
    expect(opened).toMatchObject({
      tenant: 'default',
      detail: { upstream: 'keto-read', reason: expect.stringMatching(/^ECONNREFUSED /) },
    });
    const refused = app.events.find((event) => event.name === 'upstream.circuit_open');
    expect(refused?.detail?.reason).toMatch(
      /^Keto read API of tenant "default": circuit breaker open \(last: ECONNREFUSED /,
    );
    expect(app.events.map((event) => event.name)).not.toContain('authz.permission.deny');

    await relay.start();
    const allowed = await firstAnswerWith(200, view, 10_000);
    expect(allowed.body).toEqual({ id: user });
    const transitions = app.events
      .map((event) => event.name)
      .filter((name) => name.startsWith('upstream.breaker.'));
    expect(transitions).toEqual([
      'upstream.breaker.opened',
      'upstream.breaker.half_opened',
      'upstream.breaker.closed',
    ]);
  });
});

describe('Keto read bulkhead and breaker with a hanging Keto', () => {
  let hanging: HangingServer;
  let app: KetoApp;

  beforeAll(async () => {
    hanging = new HangingServer();
    await hanging.start();
    app = await startKetoApp('express', { readUrl: hanging.url }, [ListingsController], {
      timeoutMs: 500,
      retries: 0,
      maxConcurrent: 2,
      breaker: { failureThreshold: 2, halfOpenAfterMs: 60_000 },
    });
  });
  afterAll(async () => {
    await app?.close();
    await hanging?.stop();
  });

  it('lets only maxConcurrent checks reach Keto, refuses the rest at once, and opens on the timeouts', async () => {
    const user = newId('user');
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, index) => app.as(user, `/listings/l${index}`)),
    );
    const codes = answers.map(codeOf).sort();
    expect(answers.map((answer) => answer.status)).toEqual([503, 503, 503, 503, 503, 503]);
    expect(codes).toEqual([
      'auth.upstream_unavailable',
      'auth.upstream_unavailable',
      'upstream.saturated',
      'upstream.saturated',
      'upstream.saturated',
      'upstream.saturated',
    ]);
    expect(hanging.requests).toHaveLength(2);

    const open = await app.as(user, '/listings/after');
    expect([open.status, codeOf(open)]).toEqual([503, 'upstream.circuit_open']);
    expect(Number(open.headers.get('retry-after'))).toBe(60);
    expect(hanging.requests).toHaveLength(2);
    const opened = app.events.find((event) => event.name === 'upstream.breaker.opened');
    expect(opened?.detail?.reason).toMatch(/^no answer in time from /);
  });
});
