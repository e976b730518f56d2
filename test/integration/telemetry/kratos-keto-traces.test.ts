import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IamModule } from '../../../src/index.js';
import { type RunningApp, request, startApp } from '../../support/nest-app.js';
import { loginBrowser } from '../../support/ory/kratos-flows.js';
import { RecordingProxy } from '../../support/recording-proxy.js';
import { ListingsController } from '../keto/controllers.js';
import { KetoAdmin, ketoUrls, newId } from '../keto/support.js';
import { createIdentity, kratosUrls, PASSWORD, useKratosStack } from '../kratos/support.js';
import { exportedText } from './exported-text.js';
import { type OtelSdk, registerOtelSdk } from './otel-sdk.js';
import { SERVER_SPAN, ServerSpanModule } from './server-span.js';

function only(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const found = spans.filter((span) => span.name === name);
  expect(found.map((span) => span.name)).toEqual([name]);
  return found[0] as ReadableSpan;
}

const isChildOf = (child: ReadableSpan, parent: ReadableSpan): boolean =>
  child.parentSpanContext?.spanId === parent.spanContext().spanId &&
  child.spanContext().traceId === parent.spanContext().traceId;

describe('OpenTelemetry spans of a cookie request with a Keto check (real SDK, Kratos, Keto)', () => {
  const ory = useKratosStack({ keto: true });
  let sdk: OtelSdk;
  let kratos: RecordingProxy;
  let app: RunningApp;

  beforeAll(async () => {
    sdk = registerOtelSdk();
    kratos = new RecordingProxy(kratosUrls(ory()).publicUrl);
    await kratos.start();
    app = await startApp(
      {
        imports: [
          ServerSpanModule,
          IamModule.forRoot({
            tenants: {
              default: {
                transport: 'cookie',
                kratos: { publicUrl: kratos.url, sessionCache: { enabled: true, ttlMs: 60_000 } },
                keto: { readUrl: ketoUrls(ory()).readUrl },
              },
            },
          }),
        ],
        controllers: [ListingsController],
      },
      'express',
    );
  });
  afterAll(async () => {
    await Promise.all([app?.close(), kratos?.stop()]);
    await sdk?.shutdown();
  });

  it('puts whoami under iam.authenticate and the Keto check under iam.authorize.permission, in one trace that reaches Kratos', async () => {
    const { publicUrl, adminUrl } = kratosUrls(ory());
    const user = await createIdentity(adminUrl);
    const cookie = await loginBrowser(publicUrl, user.email, PASSWORD);
    const listing = newId('listing');
    await new KetoAdmin(ketoUrls(ory()).writeUrl).write({
      namespace: 'listings',
      object: listing,
      relation: 'view',
      subject: user.id,
    });
    sdk.reset();
    kratos.seen.length = 0;

    const response = await request(`${app.url}/listings/${listing}`, { headers: { cookie } });
    expect(response.status).toBe(200);
    await expect.poll(() => sdk.spans().filter((s) => s.name === SERVER_SPAN).length).toBe(1);
    const spans = sdk.spans();

    const server = only(spans, SERVER_SPAN);
    const authenticate = only(spans, 'iam.authenticate');
    const whoami = only(spans, 'Kratos /sessions/whoami');
    const permission = only(spans, 'iam.authorize.permission');
    const check = spans.find((span) => span.attributes['iam.upstream'] === 'keto');
    expect(isChildOf(authenticate, server)).toBe(true);
    expect(isChildOf(whoami, authenticate)).toBe(true);
    expect(isChildOf(permission, server)).toBe(true);
    expect(check !== undefined && isChildOf(check, permission)).toBe(true);
    expect(authenticate.attributes).toMatchObject({
      'iam.transport': 'cookie',
      'iam.outcome': 'allow',
      'iam.cache_hit': false,
      'enduser.id': user.id,
    });
    expect(whoami.kind).toBe(SpanKind.CLIENT);
    expect(whoami.attributes).toEqual({
      'iam.tenant': 'default',
      'iam.upstream': 'kratos',
      'iam.operation': 'Kratos /sessions/whoami',
      'iam.attempts': 1,
      'http.request.method': 'GET',
      'http.response.status_code': 200,
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(kratos.url).port),
    });

    // Kratos got both the session cookie and the whoami span's trace context.
    const [seen] = kratos.calls('/sessions/whoami');
    const { traceId, spanId } = whoami.spanContext();
    expect(seen?.headers.traceparent).toBe(`00-${traceId}-${spanId}-01`);
    expect(seen?.headers.cookie).toBe(cookie);

    const text = await exportedText(sdk);
    const sessionValue = cookie.split('=')[1] ?? '';
    expect(sessionValue.length).toBeGreaterThan(20);
    expect(text).not.toContain(sessionValue);
    expect(text).not.toContain('ory_kratos_session');

    // The same cookie again: the session cache answers, and no Kratos span is made.
    sdk.reset();
    expect((await request(`${app.url}/listings/${listing}`, { headers: { cookie } })).status).toBe(
      200,
    );
    await expect.poll(() => sdk.spans().filter((s) => s.name === SERVER_SPAN).length).toBe(1);
    expect(only(sdk.spans(), 'iam.authenticate').attributes['iam.cache_hit']).toBe(true);
    expect(sdk.spans().filter((span) => span.attributes['iam.upstream'] === 'kratos')).toEqual([]);
  });
});
