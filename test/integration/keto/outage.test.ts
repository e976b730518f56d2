import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstAnswerWith, PLATFORMS } from '../../support/nest-app.js';
import { useOryStack } from '../../support/ory/vitest.js';
import { RecordingProxy } from '../../support/recording-proxy.js';
import { ListingsController } from './controllers.js';
import { KetoAdmin, type KetoApp, ketoUrls, newId, startKetoApp } from './support.js';

describe.each(PLATFORMS)('Keto outage on %s', (platform) => {
  const ory = useOryStack({ kratos: false });
  let app: KetoApp;

  beforeAll(async () => {
    app = await startKetoApp(platform, ketoUrls(ory()), [ListingsController], {
      timeoutMs: 500,
      retries: 0,
    });
  });
  afterAll(() => app?.close());

  it('answers 503 auth.upstream_unavailable while Keto is down, never a deny, and allows once it is back', async () => {
    const [user, listing] = [newId('user'), newId('listing')];
    const grant = { namespace: 'listings', object: listing, relation: 'view', subject: user };
    await new KetoAdmin(ketoUrls(ory()).writeUrl).write(grant);
    const view = () => app.as(user, `/listings/${listing}`);
    expect((await view()).status).toBe(200);

    // restart() stops Keto, then starts it and waits for /health/ready: the app sees the gap.
    app.events.length = 0;
    const restarted = ory().restart('keto');
    const down = await firstAnswerWith(503, view, 30_000);
    await restarted;

    expect(down.body).toEqual({
      statusCode: 503,
      code: 'auth.upstream_unavailable',
      message: expect.any(String),
    });
    expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0);
    const names = app.events.map((event) => event.name);
    expect(names).toContain('auth.upstream_unavailable');
    // The operator learns what failed and where; the client's body names no host.
    const outage = app.events.find((event) => event.name === 'auth.upstream_unavailable');
    expect(outage?.detail?.reason).toMatch(
      /^Keto check: (E[A-Z]+ |no answer in time |HTTP 5\d\d )/,
    );
    expect(JSON.stringify(down.body)).not.toContain('127.0.0.1');
    // During the gap no answer was a decision: every request before the 503 still got its allow.
    expect(names).not.toContain('authz.permission.deny');

    // Keto keeps its tuples in memory here, so the restart lost the grant: deny, then allow again.
    expect((await view()).status).toBe(403);
    await new KetoAdmin(ketoUrls(ory()).writeUrl).write(grant);
    expect((await view()).status).toBe(200);
  });

  it('answers 503, never a deny, and caches nothing, when Keto answers 200 with the wrong shape', async () => {
    const lyingKeto = new RecordingProxy(ketoUrls(ory()).readUrl);
    await lyingKeto.start();
    const lied = await startKetoApp(
      platform,
      { readUrl: lyingKeto.url, decisionCache: { enabled: true, ttlMs: 60_000 } },
      [ListingsController],
      // Five lies in a row would open the Keto read breaker (a malformed answer is an outage,
      // see test/unit/resilience/keto-malformed-breaker.test.ts); here each answer is looked at.
      { timeoutMs: 2_000, retries: 0, breaker: { enabled: false } },
    );
    try {
      const [user, listing] = [newId('user'), newId('listing')];
      await new KetoAdmin(ketoUrls(ory()).writeUrl).write(
        { namespace: 'listings', object: listing, relation: 'view', subject: user },
        { namespace: 'listings', object: listing, relation: 'edit', subject: user },
      );
      const single = '/relation-tuples/check/openapi';
      const batch = '/relation-tuples/batch/check';
      const lies: Array<[string, string, (answer: unknown) => unknown]> = [
        [single, `/listings/${listing}`, () => ({})],
        [single, `/listings/${listing}`, () => ({ allowed: 'true' })],
        [batch, `/listings/${listing}/edit`, () => ({})],
        [
          batch,
          `/listings/${listing}/edit`,
          (answer) => ({
            results: (answer as { results: unknown[] }).results.slice(1),
          }),
        ],
        [
          batch,
          `/listings/${listing}/edit`,
          (answer) => ({
            results: (answer as { results: unknown[] }).results.map(() => ({})),
          }),
        ],
      ];
      for (const [path, route, lie] of lies) {
        lyingKeto.lies.clear();
        lyingKeto.lies.set(path, lie);
        lied.events.length = 0;
        const answer = await lied.as(user, route);
        expect({
          route,
          status: answer.status,
          code: (answer.body as { code?: string }).code,
        }).toEqual({
          route,
          status: 503,
          code: 'auth.upstream_unavailable',
        });
        const outage = lied.events.filter(
          (event) => event.name.startsWith('auth') || event.name.startsWith('authz.permission'),
        );
        expect(outage.map((event) => [event.name, event.detail?.reason])).toEqual([
          ['auth.success', undefined],
          [
            'auth.upstream_unavailable',
            expect.stringMatching(/^malformed answer from Keto \(Keto (batch )?check\): /),
          ],
        ]);
      }

      // Keto's true answers allow: nothing the lies said was kept in the decision cache.
      lyingKeto.lies.clear();
      expect((await lied.as(user, `/listings/${listing}`)).status).toBe(200);
      expect((await lied.as(user, `/listings/${listing}/edit`)).status).toBe(200);
    } finally {
      await lied.close();
      await lyingKeto.stop();
    }
  });
});
