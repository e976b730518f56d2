import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstAnswerWith, PLATFORMS } from '../../support/nest-app.js';
import { useOryStack } from '../../support/ory/vitest.js';
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
    // During the gap no answer was a decision: every request before the 503 still got its allow.
    expect(names).not.toContain('authz.permission.deny');

    // Keto keeps its tuples in memory here, so the restart lost the grant: deny, then allow again.
    expect((await view()).status).toBe(403);
    await new KetoAdmin(ketoUrls(ory()).writeUrl).write(grant);
    expect((await view()).status).toBe(200);
  });
});
