import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HttpClientConfig } from '../../../src/index.js';
import { HangingServer } from '../../support/hanging-server.js';
import { PLATFORMS, request } from '../../support/nest-app.js';
import { type IamApp, startIamApp } from './support.js';

const TOKEN = 'ory_st_deadline-test-token';

describe.each(PLATFORMS)('the request deadline against a hanging Kratos on %s', (platform) => {
  const kratos = new HangingServer();
  const apps: IamApp[] = [];

  const start = async (
    sessionCache: boolean,
    http: HttpClientConfig = { timeoutMs: 300, retries: 5, deadlineMs: 800 },
  ): Promise<IamApp> => {
    const app = await startIamApp(platform, {
      transport: 'bearer',
      kratos: {
        publicUrl: kratos.url,
        ...(sessionCache ? { sessionCache: { enabled: true } } : {}),
      },
      http,
    });
    apps.push(app);
    return app;
  };
  const me = (app: IamApp, signal?: AbortSignal) =>
    request(`${app.url}/me`, { headers: { 'X-Session-Token': TOKEN }, signal }).catch(
      (error: unknown) => error,
    );

  beforeAll(() => kratos.start());
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    kratos.requests.length = 0;
  });
  afterAll(() => kratos.stop());

  it('answers 503 with Retry-After once the deadline is spent, never a 401', async () => {
    const app = await start(false);
    const response = await me(app);
    expect(response).toMatchObject({ status: 503, body: { code: 'auth.upstream_unavailable' } });
    expect(kratos.requests.length).toBeGreaterThanOrEqual(1);
    expect(kratos.requests.length).toBeLessThanOrEqual(2);
  });

  it('cancels the whoami when the client goes away', async () => {
    const app = await start(false);
    const client = new AbortController();
    const sent = me(app, client.signal);
    await kratos.arrived(1);
    const cancelled = kratos.closed(0);
    client.abort();
    await sent;
    await cancelled;
    expect(kratos.requests).toHaveLength(1);
  });

  it('keeps a shared whoami going while one of its waiters remains, and cancels it with the last', async () => {
    // Attempts long enough that only a cancellation, not their timeout, can close the whoami.
    const app = await start(true, { timeoutMs: 20_000, retries: 0, deadlineMs: 30_000 });
    const [first, second] = [new AbortController(), new AbortController()];
    const firstSent = me(app, first.signal);
    await kratos.arrived(1);
    const secondSent = me(app, second.signal);
    const whoami = kratos.requests[0];
    const firstGone = app.nextEvent('auth.upstream_unavailable');
    first.abort();
    await firstSent;
    expect((await firstGone).detail?.reason).toMatch(/the caller went away/);
    // The second request still waits on the same whoami, which is still open.
    expect(whoami?.socket.destroyed).toBe(false);
    expect(kratos.requests).toHaveLength(1);

    const closed = kratos.closed(0);
    second.abort();
    await secondSent;
    await closed;
    expect(kratos.requests).toHaveLength(1);
  });
});
