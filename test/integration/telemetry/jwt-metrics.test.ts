import type { Histogram } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../support/nest-app.js';
import { type SignedApp, startSignedApp } from '../../support/signed-app.js';
import { ADMIN_CLAIMS, OtelController } from './controllers.js';
import { countOf, type OtelSdk, registerOtelSdk } from './otel-sdk.js';

const TENANT = { 'iam.tenant': 'default', 'iam.transport': 'oathkeeper' };

describe('OpenTelemetry metrics after a known sequence of JWT requests (real SDK)', () => {
  let sdk: OtelSdk;
  let app: SignedApp;

  beforeAll(async () => {
    sdk = registerOtelSdk();
    app = await startSignedApp('express', {
      audience: 'orders-api',
      metadata: { controllers: [OtelController] },
    });
  });
  afterAll(async () => {
    await app?.close();
    await sdk?.shutdown();
  });

  it('counts each decision by tenant, transport, decision, outcome and code', async () => {
    const send = async (path: string, token?: string) =>
      (
        await request(`${app.url}${path}`, {
          headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
        })
      ).status;
    const alice = app.token('alice');
    expect(await send('/otel/me', alice)).toBe(200);
    expect(await send('/otel/me', alice)).toBe(200);
    expect(await send('/otel/me', app.token('bob'))).toBe(200);
    expect(await send('/otel/admin', app.token('carol', ADMIN_CLAIMS))).toBe(200);
    expect(await send('/otel/admin', app.token('dave'))).toBe(403);
    expect(await send('/otel/me', app.token('erin', { aud: ['another-api'] }))).toBe(401);
    expect(await send('/otel/me', app.token('frank', { aud: ['another-api'] }))).toBe(401);
    expect(await send('/otel/me')).toBe(401);

    const decisions = await sdk.points<number>('iam.decisions');
    const byAttributes = decisions.map((point) => ({ ...point.attributes, value: point.value }));
    expect(byAttributes).toEqual(
      expect.arrayContaining([
        { ...TENANT, 'iam.decision': 'authenticate', 'iam.outcome': 'allow', value: 5 },
        { ...TENANT, 'iam.decision': 'role', 'iam.outcome': 'allow', value: 1 },
        {
          ...TENANT,
          'iam.decision': 'role',
          'iam.outcome': 'deny',
          'iam.code': 'authz.role.deny',
          value: 1,
        },
        {
          ...TENANT,
          'iam.decision': 'authenticate',
          'iam.outcome': 'deny',
          'iam.code': 'auth.failure.audience_mismatch',
          value: 2,
        },
        {
          ...TENANT,
          'iam.decision': 'authenticate',
          'iam.outcome': 'deny',
          'iam.code': 'auth.failure.missing_credentials',
          value: 1,
        },
      ]),
    );
    expect(byAttributes).toHaveLength(5);

    const verification = await sdk.points<Histogram>('iam.verification.duration');
    const counts = Object.fromEntries(
      verification.map((point) => [
        `${point.attributes['iam.outcome']} ${point.attributes['iam.cache_hit'] ?? '-'}`,
        countOf(point),
      ]),
    );
    // Alice's resent token is the one verified-token cache hit; the request without credentials
    // is an authentication that found none (no cache asked), then a 401.
    expect(counts).toEqual({ 'allow false': 4, 'allow true': 1, 'deny false': 2, 'none -': 1 });
    for (const point of verification) {
      expect(Object.keys(point.attributes)).toEqual(
        expect.arrayContaining(['iam.outcome', 'iam.tenant', 'iam.transport']),
      );
      expect(Object.keys(point.attributes).length).toBeLessThanOrEqual(4);
      // Seconds, not milliseconds: a local verification takes well under one.
      expect(point.value.max).toBeLessThan(1);
    }
  });

  it('reports the JWKS key count and the age of its last successful refresh', async () => {
    const keys = await sdk.points<number>('iam.jwks.keys');
    expect(keys).toEqual([{ attributes: { 'iam.tenant': 'default' }, value: 1 }]);
    const age = await sdk.points<number>('iam.jwks.refresh_age');
    expect(age).toHaveLength(1);
    expect(age[0]?.attributes).toEqual({ 'iam.tenant': 'default' });
    expect(age[0]?.value).toBeGreaterThanOrEqual(0);
    // In seconds: the app fetched its JWKS at boot, moments ago.
    expect(age[0]?.value).toBeLessThan(60);
  });

  it('records upstream latency of the JWKS fetch in seconds with the advised buckets', async () => {
    const resource = await sdk.collect();
    const upstream = resource.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .find((metric) => metric.descriptor.name === 'iam.upstream.duration');
    expect(upstream?.descriptor.unit).toBe('s');
    const point = upstream?.dataPoints.find(
      (candidate) => candidate.attributes['iam.upstream'] === 'jwks',
    );
    const value = point?.value as Histogram | undefined;
    expect(value?.count).toBe(1);
    expect(value?.buckets.boundaries).toContain(0.0001);
    expect(value?.buckets.boundaries).toContain(10);
  });
});
