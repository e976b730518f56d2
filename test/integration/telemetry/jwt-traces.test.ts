import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../support/nest-app.js';
import { type SignedApp, startSignedApp } from '../../support/signed-app.js';
import { ADMIN_CLAIMS, OtelController } from './controllers.js';
import { exportedText } from './exported-text.js';
import { type OtelSdk, registerOtelSdk } from './otel-sdk.js';
import { SERVER_SPAN, ServerSpanModule } from './server-span.js';

const metadata = { imports: [ServerSpanModule], controllers: [OtelController] };

function named(spans: readonly ReadableSpan[], name: string): ReadableSpan[] {
  return spans.filter((span) => span.name === name);
}

function only(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const found = named(spans, name);
  expect(found.map((span) => span.name)).toEqual([name]);
  return found[0] as ReadableSpan;
}

function isChildOf(child: ReadableSpan, parent: ReadableSpan): boolean {
  return (
    child.parentSpanContext?.spanId === parent.spanContext().spanId &&
    child.spanContext().traceId === parent.spanContext().traceId
  );
}

/** The spans of one request, once the server span (ended on `finish`) is exported. */
async function spansOf(sdk: OtelSdk, send: () => Promise<unknown>): Promise<ReadableSpan[]> {
  sdk.reset();
  await send();
  await expect.poll(() => named(sdk.spans(), SERVER_SPAN).length).toBe(1);
  return sdk.spans();
}

describe('OpenTelemetry spans of JWT requests (real SDK, Express)', () => {
  let sdk: OtelSdk;
  let app: SignedApp;
  let replayApp: SignedApp;
  let anonymousSubjectApp: SignedApp;
  let disabledApp: SignedApp;
  let mappedApp: SignedApp;
  const tokens: string[] = [];
  const mint = (from: SignedApp, sub: string, claims?: Record<string, unknown>): string => {
    const token = from.token(sub, claims);
    tokens.push(token);
    return token;
  };
  const get = (from: SignedApp, path: string, token: string) =>
    request(`${from.url}${path}`, { headers: { Authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    sdk = registerOtelSdk();
    app = await startSignedApp('express', { audience: 'orders-api', metadata });
    replayApp = await startSignedApp('express', { audience: 'orders-api', replay: true, metadata });
    anonymousSubjectApp = await startSignedApp('express', {
      audience: 'orders-api',
      telemetry: { recordSubject: false },
      metadata,
    });
    disabledApp = await startSignedApp('express', {
      audience: 'orders-api',
      replay: true,
      telemetry: { enabled: false },
      metadata,
    });
    mappedApp = await startSignedApp('express', {
      audience: 'orders-api',
      decisions: {
        errors: { map: (error) => ({ problem: 'refused', status: error.getStatus() }) },
      },
      metadata,
    });
  });
  afterAll(async () => {
    await Promise.all(
      [app, replayApp, anonymousSubjectApp, disabledApp, mappedApp].map((running) =>
        running?.close(),
      ),
    );
    await sdk?.shutdown();
  });

  it('traces an allowed JWT request: authenticate and role spans under the server span', async () => {
    const token = mint(app, 'alice', ADMIN_CLAIMS);
    const spans = await spansOf(sdk, async () => {
      expect((await get(app, '/otel/admin', token)).status).toBe(200);
    });
    const server = only(spans, SERVER_SPAN);
    const authenticate = only(spans, 'iam.authenticate');
    const role = only(spans, 'iam.authorize.role');
    expect(isChildOf(authenticate, server)).toBe(true);
    expect(isChildOf(role, server)).toBe(true);
    expect(authenticate.attributes).toEqual({
      'iam.tenant': 'default',
      'iam.transport': 'oathkeeper',
      'iam.decision': 'authenticate',
      'iam.outcome': 'allow',
      'iam.cache_hit': false,
      'enduser.id': 'alice',
    });
    expect(role.attributes).toEqual({
      'iam.tenant': 'default',
      'iam.transport': 'oathkeeper',
      'iam.decision': 'role',
      'iam.outcome': 'allow',
      'enduser.id': 'alice',
    });
    expect(authenticate.status.code).toBe(SpanStatusCode.UNSET);

    // The same token again (Oathkeeper's token cache resends it): the verified-token cache answers.
    const resent = await spansOf(sdk, async () => {
      expect((await get(app, '/otel/admin', token)).status).toBe(200);
    });
    expect(only(resent, 'iam.authenticate').attributes['iam.cache_hit']).toBe(true);
  });

  it('traces a 401 with its code as iam.code and error.type, without marking the span as failed', async () => {
    const token = mint(app, 'mallory', { aud: ['another-api'] });
    const spans = await spansOf(sdk, async () => {
      expect((await get(app, '/otel/me', token)).status).toBe(401);
    });
    const authenticate = only(spans, 'iam.authenticate');
    expect(isChildOf(authenticate, only(spans, SERVER_SPAN))).toBe(true);
    expect(authenticate.attributes).toEqual({
      'iam.tenant': 'default',
      'iam.transport': 'oathkeeper',
      'iam.decision': 'authenticate',
      'iam.outcome': 'deny',
      'iam.cache_hit': false,
      'iam.code': 'auth.failure.audience_mismatch',
      'error.type': 'auth.failure.audience_mismatch',
    });
    expect(authenticate.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('traces a role deny as a deny of the role span', async () => {
    const token = mint(app, 'bob');
    const spans = await spansOf(sdk, async () => {
      expect((await get(app, '/otel/admin', token)).status).toBe(403);
    });
    expect(only(spans, 'iam.authenticate').attributes['iam.outcome']).toBe('allow');
    expect(only(spans, 'iam.authorize.role').attributes).toMatchObject({
      'iam.outcome': 'deny',
      'iam.code': 'authz.role.deny',
    });
  });

  it('traces the replay store claim as a CLIENT span inside iam.authenticate', async () => {
    const token = mint(replayApp, 'carol');
    const spans = await spansOf(sdk, async () => {
      expect((await get(replayApp, '/otel/me', token)).status).toBe(200);
    });
    const claim = only(spans, 'Replay store claim');
    expect(isChildOf(claim, only(spans, 'iam.authenticate'))).toBe(true);
    expect(claim.kind).toBe(SpanKind.CLIENT);
    expect(claim.attributes).toEqual({
      'iam.tenant': 'default',
      'iam.upstream': 'replay',
      'iam.operation': 'Replay store claim',
    });

    const replayed = await spansOf(sdk, async () => {
      expect((await get(replayApp, '/otel/me', token)).status).toBe(401);
    });
    expect(only(replayed, 'iam.authenticate').attributes['iam.code']).toBe('auth.failure.replay');
  });

  it('traces the JWKS fetch with the server address and method, never the path', async () => {
    const fetches = named(sdk.spans(), 'JWKS fetch');
    // The apps fetched at boot, before the resets above: start one more to see its fetch.
    const more = await startSignedApp('express', { audience: 'orders-api', metadata });
    try {
      await expect
        .poll(() => named(sdk.spans(), 'JWKS fetch').length)
        .toBeGreaterThan(fetches.length);
    } finally {
      await more.close();
    }
    const fetch = named(sdk.spans(), 'JWKS fetch').at(-1) as ReadableSpan;
    expect(fetch.kind).toBe(SpanKind.CLIENT);
    expect(fetch.attributes).toEqual({
      'iam.tenant': 'default',
      'iam.upstream': 'jwks',
      'iam.operation': 'JWKS fetch',
      'http.request.method': 'GET',
      'server.address': '127.0.0.1',
      'server.port': expect.any(Number),
    });
  });

  it('leaves the subject out with recordSubject: false', async () => {
    const token = mint(anonymousSubjectApp, 'dave');
    const spans = await spansOf(sdk, async () => {
      expect((await get(anonymousSubjectApp, '/otel/me', token)).status).toBe(200);
    });
    const authenticate = only(spans, 'iam.authenticate');
    expect(authenticate.attributes['iam.outcome']).toBe('allow');
    expect(authenticate.attributes).not.toHaveProperty('enduser.id');
  });

  it("keeps the library codes on the spans when errors.map answers with the app's own body", async () => {
    const token = mint(mappedApp, 'heidi');
    const spans = await spansOf(sdk, async () => {
      const denied = await get(mappedApp, '/otel/admin', token);
      expect(denied.status).toBe(403);
      expect(denied.body).toEqual({ problem: 'refused', status: 403 });
    });
    expect(only(spans, 'iam.authorize.role').attributes).toMatchObject({
      'iam.outcome': 'deny',
      'iam.code': 'authz.role.deny',
      'error.type': 'authz.role.deny',
    });
    const expired = await spansOf(sdk, async () => {
      const answer = await get(mappedApp, '/otel/me', mint(mappedApp, 'ivan', { aud: ['x'] }));
      expect(answer.status).toBe(401);
    });
    expect(only(expired, 'iam.authenticate').attributes['iam.code']).toBe(
      'auth.failure.audience_mismatch',
    );
  });

  it('records nothing with enabled: false, though an SDK is registered', async () => {
    const decisionsBefore = JSON.stringify(await sdk.points('iam.decisions'));
    const token = mint(disabledApp, 'grace', ADMIN_CLAIMS);
    sdk.reset();
    expect((await get(disabledApp, '/otel/admin', token)).status).toBe(200);
    expect((await get(disabledApp, '/otel/admin', token)).status).toBe(401);
    await expect.poll(() => named(sdk.spans(), SERVER_SPAN).length).toBe(2);
    expect(sdk.spans().map((span) => span.name)).toEqual([SERVER_SPAN, SERVER_SPAN]);
    expect(JSON.stringify(await sdk.points('iam.decisions'))).toBe(decisionsBefore);
  });

  it('exports no token, nor any part of one, in any span or metric', async () => {
    const requests = [mint(app, 'erin', ADMIN_CLAIMS), mint(app, 'frank', { aud: ['x'] })];
    for (const token of requests) await get(app, '/otel/admin', token);
    const text = await exportedText(sdk);
    expect(tokens.length).toBeGreaterThan(5);
    for (const token of tokens) {
      for (const part of token.split('.')) expect(text).not.toContain(part);
    }
    expect(text).not.toMatch(/bearer/i);
  });
});
