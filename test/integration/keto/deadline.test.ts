import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HangingServer } from '../../support/hanging-server.js';
import { PLATFORMS } from '../../support/nest-app.js';
import { ListingsController } from './controllers.js';
import { type KetoApp, newId, startKetoApp } from './support.js';

const http = { timeoutMs: 300, retries: 5, deadlineMs: 800 };

describe.each(PLATFORMS)('the request deadline against a hanging Keto on %s', (platform) => {
  const keto = new HangingServer();
  let app: KetoApp;

  beforeAll(async () => {
    await keto.start();
    app = await startKetoApp(platform, { readUrl: keto.url }, [ListingsController], http);
  });
  afterAll(async () => {
    await app?.close();
    await keto.stop();
  });
  beforeEach(() => {
    app.events.length = 0;
    keto.requests.length = 0;
  });

  it('answers 503 with Retry-After once the deadline is spent, retrying only while it holds an attempt', async () => {
    const response = await app.as(newId('user'), `/listings/${newId('listing')}`);
    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({ code: 'auth.upstream_unavailable' });
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    // retries: 5 would make 6 attempts of 300 ms; an 800 ms deadline holds two at most.
    expect(keto.requests.length).toBeGreaterThanOrEqual(1);
    expect(keto.requests.length).toBeLessThanOrEqual(2);
    const outage = app.events.find((event) => event.name === 'auth.upstream_unavailable');
    expect(outage?.detail?.reason).toMatch(/^Keto check: no answer (in time|within the deadline)/);
    expect(app.events.map((event) => event.name)).not.toContain('authz.permission.deny');
  });

  it('cancels the call to Keto when the client goes away, and starts no retry', async () => {
    const client = new AbortController();
    const sent = app
      .as(newId('user'), `/listings/${newId('listing')}`, { signal: client.signal })
      .catch((error: unknown) => error);
    await keto.arrived(1);
    const cancelled = keto.closed(0);
    const outage = app.nextEvent('auth.upstream_unavailable');
    client.abort();
    expect(await sent).toMatchObject({ name: 'AbortError' });
    await cancelled;
    const gone = await outage;
    expect(gone.detail?.reason).toBe(
      'Keto check: the caller went away (the client closed the request or aborted the call)',
    );
    expect(keto.requests).toHaveLength(1);
  });
});
