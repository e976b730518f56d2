import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HangingServer } from '../../support/hanging-server.js';
import { request } from '../../support/nest-app.js';
import { type SignedApp, startSignedApp } from '../../support/signed-app.js';
import { ListingsController } from '../keto/controllers.js';
import { AUDIENCE, newId } from '../keto/support.js';
import { type OtelSdk, registerOtelSdk } from './otel-sdk.js';

describe('OpenTelemetry gauges of the breakers and bulkheads (real SDK, Express)', () => {
  const keto = new HangingServer();
  let sdk: OtelSdk;
  let app: SignedApp;

  const gauge = async (name: string): Promise<unknown> => {
    const points = await sdk.points<number>(name);
    const keto = points.filter(
      (point) =>
        point.attributes['iam.tenant'] === 'default' &&
        point.attributes['iam.breaker.upstream'] === 'keto-read',
    );
    expect(keto.length).toBeLessThanOrEqual(1);
    return keto[0]?.value;
  };

  beforeAll(async () => {
    sdk = registerOtelSdk();
    await keto.start();
    app = await startSignedApp('express', {
      audience: AUDIENCE,
      keto: { readUrl: keto.url },
      http: {
        timeoutMs: 5_000,
        retries: 0,
        deadlineMs: 5_000,
        breaker: { failureThreshold: 1, halfOpenAfterMs: 60_000 },
      },
      metadata: { controllers: [ListingsController] },
    });
  });
  afterAll(async () => {
    await app?.close();
    await keto.stop();
    await sdk?.shutdown();
  });

  it('shows a call in flight, then the breaker open after the outage', async () => {
    expect(await gauge('iam.upstream.breaker.state')).toBeUndefined();
    const client = new AbortController();
    const token = app.token(newId('user'));
    const hanging = request(`${app.url}/listings/${newId('listing')}`, {
      headers: { Authorization: `Bearer ${token}` },
      signal: client.signal,
    }).catch((error: unknown) => error);
    await keto.arrived(1);
    expect(await gauge('iam.upstream.in_flight')).toBe(1);
    expect(await gauge('iam.upstream.breaker.state')).toBe(0);

    // Keto drops the connection: one outage opens a breaker whose threshold is 1.
    const failed = app.nextEvent('upstream.breaker.opened');
    keto.requests[0]?.socket.destroy();
    await failed;
    client.abort();
    await hanging;
    expect(await gauge('iam.upstream.breaker.state')).toBe(2);
    expect(await gauge('iam.upstream.in_flight')).toBe(0);
  });
});
