import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPortUrl } from '../../support/closed-port.js';
import { request } from '../../support/nest-app.js';
import { useOryStack } from '../../support/ory/vitest.js';
import { RecordingProxy } from '../../support/recording-proxy.js';
import { type SignedApp, startSignedApp } from '../../support/signed-app.js';
import { ListingsController } from '../keto/controllers.js';
import { AUDIENCE, KetoAdmin, ketoUrls, newId } from '../keto/support.js';
import { exportedText } from './exported-text.js';
import { countOf, type OtelSdk, registerOtelSdk } from './otel-sdk.js';
import { SERVER_SPAN, ServerSpanModule } from './server-span.js';

const metadata = { imports: [ServerSpanModule], controllers: [ListingsController] };

function only(spans: readonly ReadableSpan[], predicate: (span: ReadableSpan) => boolean) {
  const found = spans.filter(predicate);
  expect(found.map((span) => span.name)).toHaveLength(1);
  return found[0] as ReadableSpan;
}

const isChildOf = (child: ReadableSpan, parent: ReadableSpan): boolean =>
  child.parentSpanContext?.spanId === parent.spanContext().spanId &&
  child.spanContext().traceId === parent.spanContext().traceId;

const ketoSpan = (span: ReadableSpan) => span.attributes['iam.upstream'] === 'keto';

describe('OpenTelemetry spans of Keto checks (real SDK, real Keto, Express)', () => {
  const ory = useOryStack({ kratos: false });
  let sdk: OtelSdk;
  let proxy: RecordingProxy;
  let app: SignedApp;
  let down: SignedApp;
  let broken: SignedApp;
  let deadUrl: string;
  let deadPort: number;
  const tokens: string[] = [];

  const view = async (from: SignedApp, user: string, listing: string) => {
    const token = from.token(user);
    tokens.push(token);
    sdk.reset();
    const response = await request(`${from.url}/listings/${listing}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    await expect.poll(() => sdk.spans().filter((s) => s.name === SERVER_SPAN).length).toBe(1);
    return { status: response.status, spans: sdk.spans() };
  };

  beforeAll(async () => {
    sdk = registerOtelSdk();
    proxy = new RecordingProxy(ketoUrls(ory()).readUrl);
    await proxy.start();
    app = await startSignedApp('express', {
      audience: AUDIENCE,
      keto: { readUrl: proxy.url },
      metadata,
    });
    deadUrl = await closedPortUrl();
    deadPort = Number(new URL(deadUrl).port);
    down = await startSignedApp('express', {
      audience: AUDIENCE,
      keto: { readUrl: deadUrl },
      http: { timeoutMs: 500, retries: 1 },
      metadata,
    });
    broken = await startSignedApp('express', {
      audience: AUDIENCE,
      keto: { readUrl: deadUrl },
      http: {
        timeoutMs: 500,
        retries: 0,
        breaker: { failureThreshold: 2, halfOpenAfterMs: 60_000 },
      },
      metadata,
    });
  });
  afterAll(async () => {
    await Promise.all([app?.close(), down?.close(), broken?.close(), proxy?.stop()]);
    await sdk?.shutdown();
  });

  it('traces a Keto check under iam.authorize.permission and sends its traceparent to Keto', async () => {
    const [user, listing] = [newId('user'), newId('listing')];
    await new KetoAdmin(ketoUrls(ory()).writeUrl).write({
      namespace: 'listings',
      object: listing,
      relation: 'view',
      subject: user,
    });
    proxy.seen.length = 0;
    const { status, spans } = await view(app, user, listing);
    expect(status).toBe(200);

    const server = only(spans, (span) => span.name === SERVER_SPAN);
    const permission = only(spans, (span) => span.name === 'iam.authorize.permission');
    const check = only(spans, ketoSpan);
    expect(isChildOf(permission, server)).toBe(true);
    expect(isChildOf(check, permission)).toBe(true);
    expect(permission.attributes).toEqual({
      'iam.tenant': 'default',
      'iam.transport': 'oathkeeper',
      'iam.decision': 'permission',
      'iam.outcome': 'allow',
      'iam.checks': 1,
      'enduser.id': user,
    });
    expect(check.kind).toBe(SpanKind.CLIENT);
    expect(check.status.code).toBe(SpanStatusCode.UNSET);
    expect(check.attributes).toEqual({
      'iam.tenant': 'default',
      'iam.upstream': 'keto',
      'iam.operation': check.name,
      'iam.attempts': 1,
      'http.request.method': expect.stringMatching(/^(GET|POST)$/),
      'http.response.status_code': 200,
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(proxy.url).port),
    });
    expect(check.name).toMatch(/^Keto (batch )?check$/);

    // Keto got the W3C trace context of the check's span: its own spans would continue the trace.
    const { traceId, spanId } = check.spanContext();
    expect(proxy.seen.map((seen) => seen.headers.traceparent)).toEqual([
      `00-${traceId}-${spanId}-01`,
    ]);
  });

  it('traces a 503 when Keto is down: every attempt in one failed Keto span, the decision unavailable', async () => {
    const { status, spans } = await view(down, newId('user'), newId('listing'));
    expect(status).toBe(503);
    const permission = only(spans, (span) => span.name === 'iam.authorize.permission');
    expect(permission.attributes).toMatchObject({
      'iam.outcome': 'unavailable',
      'iam.code': 'auth.upstream_unavailable',
      'error.type': 'auth.upstream_unavailable',
    });
    expect(permission.status.code).toBe(SpanStatusCode.ERROR);
    const check = only(spans, ketoSpan);
    expect(isChildOf(check, permission)).toBe(true);
    expect(check.status.code).toBe(SpanStatusCode.ERROR);
    expect(check.attributes).toMatchObject({
      'iam.attempts': 2,
      'error.type': 'ECONNREFUSED',
      'server.address': '127.0.0.1',
      'server.port': deadPort,
    });
    expect(check.attributes).not.toHaveProperty('http.response.status_code');
  });

  it('traces a call the open breaker refused: no attempt, error.type upstream.circuit_open', async () => {
    for (let i = 0; i < 2; i += 1) {
      const refused = await view(broken, newId('user'), newId('listing'));
      expect(refused.status).toBe(503);
      expect(only(refused.spans, ketoSpan).attributes['error.type']).toBe('ECONNREFUSED');
    }
    const { status, spans } = await view(broken, newId('user'), newId('listing'));
    expect(status).toBe(503);
    expect(
      only(spans, (span) => span.name === 'iam.authorize.permission').attributes,
    ).toMatchObject({ 'iam.outcome': 'unavailable', 'iam.code': 'upstream.circuit_open' });
    const check = only(spans, ketoSpan);
    expect(check.status.code).toBe(SpanStatusCode.ERROR);
    expect(check.attributes).toMatchObject({
      'iam.attempts': 0,
      'error.type': 'upstream.circuit_open',
    });
    expect(check.attributes).not.toHaveProperty('server.address');
  });

  it('records Keto latency by outcome, and exports no token', async () => {
    const points = await sdk.points<Histogram>('iam.upstream.duration');
    const keto = points.filter((point) => point.attributes['iam.upstream'] === 'keto');
    const ok = keto.filter((point) => point.attributes['iam.outcome'] === 'ok');
    const failed = keto.filter((point) => point.attributes['iam.outcome'] === 'error');
    expect(ok.reduce((sum, point) => sum + countOf(point), 0)).toBeGreaterThanOrEqual(1);
    const byType = Object.fromEntries(
      failed.map((point) => [String(point.attributes['error.type']), countOf(point)]),
    );
    // One refused call from the outage test (its two attempts are one call), two that opened the
    // breaker, one the breaker refused.
    expect(byType).toEqual({ ECONNREFUSED: 3, 'upstream.circuit_open': 1 });
    for (const point of failed) {
      expect(Object.keys(point.attributes).sort()).toEqual([
        'error.type',
        'iam.operation',
        'iam.outcome',
        'iam.tenant',
        'iam.upstream',
      ]);
    }

    const text = await exportedText(sdk);
    for (const token of tokens) {
      for (const part of token.split('.')) expect(text).not.toContain(part);
    }
  });
});
