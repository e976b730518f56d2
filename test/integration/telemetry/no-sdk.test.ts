import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otelApi } from '../../../src/telemetry/otel-api.js';
import { request } from '../../support/nest-app.js';
import { type SignedApp, startSignedApp } from '../../support/signed-app.js';
import { ADMIN_CLAIMS, OtelController } from './controllers.js';

/**
 * What most applications run: `@opentelemetry/api` installed (by some other package) and the
 * telemetry option on by default, but no SDK registered. Every call goes to the API's no-ops.
 */
describe('telemetry enabled with the API present and no SDK registered', () => {
  let app: SignedApp;

  beforeAll(async () => {
    app = await startSignedApp('express', {
      audience: 'orders-api',
      replay: true,
      telemetry: { enabled: true },
      metadata: { controllers: [OtelController] },
    });
  });
  afterAll(() => app?.close());

  it('loaded the API and found no SDK', () => {
    expect(otelApi).toBeDefined();
    expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(false);
  });

  it('answers allows, denies and replays exactly as without telemetry', async () => {
    const get = async (path: string, token: string) =>
      (await request(`${app.url}${path}`, { headers: { Authorization: `Bearer ${token}` } }))
        .status;
    const admin = app.token('alice', ADMIN_CLAIMS);
    expect(await get('/otel/admin', admin)).toBe(200);
    expect(await get('/otel/admin', admin)).toBe(401);
    expect(await get('/otel/admin', app.token('bob'))).toBe(403);
    expect(await get('/otel/me', app.token('carol', { aud: ['another-api'] }))).toBe(401);
    expect(app.events.map((event) => event.name)).toEqual(
      expect.arrayContaining([
        'auth.success',
        'authz.role.allow',
        'auth.failure.replay',
        'authz.role.deny',
        'auth.failure.audience_mismatch',
      ]),
    );
  });
});
