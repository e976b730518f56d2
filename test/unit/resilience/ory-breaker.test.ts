import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditEmitter } from '../../../src/audit/audit-emitter.js';
import type { IamAuditEvent } from '../../../src/audit/audit-event.js';
import { validateIamOptions } from '../../../src/config/validate-options.js';
import { IamUpstreamUnavailableError } from '../../../src/errors/iam-errors.js';
import { IamHealthIndicator } from '../../../src/health/iam-health.indicator.js';
import { KratosSessionResolver } from '../../../src/ory/kratos/session-resolver.js';
import { callOry, OryResponseError } from '../../../src/ory/ory-call.js';
import { OryClients } from '../../../src/ory/ory-clients.js';
import { UpstreamGuards } from '../../../src/resilience/upstream-guards.js';
import { FakeKratos, kratosSession } from '../kratos/fake-kratos.js';

const WHOAMI = 'GET /sessions/whoami';
const TOKEN = 'ory_st_secret';
const kratos = new FakeKratos();
beforeAll(() => kratos.start());
afterAll(() => kratos.stop());

let events: IamAuditEvent[];
let guards: UpstreamGuards;
let clients: OryClients;
let options: ReturnType<typeof validateIamOptions>;

beforeEach(() => {
  kratos.reset();
  kratos.answer('GET /health/ready', { status: 200, body: { status: 'ok' } });
  events = [];
  options = validateIamOptions({
    tenants: {
      shop: {
        transport: 'bearer',
        kratos: { publicUrl: kratos.url },
        // A probe far away: these tests look at the open breaker, never at its recovery.
        http: {
          timeoutMs: 300,
          retries: 2,
          breaker: { failureThreshold: 3, halfOpenAfterMs: 60_000 },
        },
      },
    },
  });
  guards = new UpstreamGuards(options);
  guards.reportTo(new AuditEmitter({ emit: (event) => void events.push(event) }));
  clients = new OryClients(options, guards);
});

function whoami(signal?: AbortSignal) {
  const { frontend, policy, guards: kratosGuards } = clients.kratos('shop');
  return callOry(
    'Kratos /sessions/whoami',
    { ...policy, signal },
    (request) => frontend.toSession({ xSessionToken: TOKEN }, request),
    { idempotent: true, guard: kratosGuards.frontend },
  );
}

async function rejectionOf(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => new Error('expected a rejection'),
    (error: unknown) => error,
  );
}

describe('callOry through the Kratos public API breaker', () => {
  it('counts every failed attempt, so one call whose retries all meet a 503 opens it; the next call never reaches Kratos', async () => {
    kratos.answer(WHOAMI, { status: 503, body: {} });
    const outage = await rejectionOf(whoami());
    expect(outage).toMatchObject({ code: 'auth.upstream_unavailable' });
    expect(kratos.requestsTo(WHOAMI)).toHaveLength(3);

    const open = await rejectionOf(whoami());
    expect(open).toBeInstanceOf(IamUpstreamUnavailableError);
    expect(open).toMatchObject({ code: 'upstream.circuit_open', retryAfterSeconds: 60 });
    expect(kratos.requestsTo(WHOAMI)).toHaveLength(3);

    expect(events).toEqual([
      expect.objectContaining({
        name: 'upstream.breaker.opened',
        tenant: 'shop',
        detail: {
          upstream: 'kratos-public',
          reason: `HTTP 503 from ${kratos.url}/sessions/whoami`,
          retryAfterSeconds: 60,
        },
      }),
    ]);
    expect(JSON.stringify(events)).not.toContain(TOKEN);
  });

  it('counts timeouts of a hanging Kratos as they happen', async () => {
    kratos.answer(WHOAMI, 'hang');
    expect(await rejectionOf(whoami())).toMatchObject({ code: 'auth.upstream_unavailable' });
    expect(await rejectionOf(whoami())).toMatchObject({ code: 'upstream.circuit_open' });
    expect(kratos.requestsTo(WHOAMI)).toHaveLength(3);
    expect(events[0]?.detail?.reason).toBe(`no answer in time from ${kratos.url}/sessions/whoami`);
  });

  it('never counts attempts cut short because the caller went away', async () => {
    for (let i = 0; i < 5; i += 1) {
      const held = kratos.hold(WHOAMI, { status: 200, body: kratosSession() });
      const caller = new AbortController();
      const call = rejectionOf(whoami(caller.signal));
      await held.arrived;
      caller.abort();
      expect(await call).toMatchObject({ code: 'auth.upstream_unavailable' });
      held.release();
    }
    expect(guards.status('shop')['kratos-public']).toMatchObject({
      breaker: 'closed',
      consecutiveFailures: 0,
    });
    expect(events).toEqual([]);
  });

  it('counts a whoami answered 200 with a body that is not a session as an outage', async () => {
    kratos.answer(WHOAMI, { status: 200, body: {} });
    const tenant = options.tenants.shop;
    if (tenant === undefined) throw new Error('no tenant');
    const resolver = new KratosSessionResolver(tenant, clients.kratos('shop'), undefined);
    const codes: unknown[] = [];
    for (let i = 0; i < 2; i += 1) {
      const error = await rejectionOf(resolver.resolve({ kind: 'token', value: TOKEN }));
      codes.push((error as { code?: string }).code);
    }
    // retries: 2, but a malformed answer is not retried: one attempt, one outage, per request.
    expect(codes).toEqual(['auth.upstream_unavailable', 'auth.upstream_unavailable']);
    expect(guards.status('shop')['kratos-public']).toMatchObject({ consecutiveFailures: 2 });
    await rejectionOf(resolver.resolve({ kind: 'token', value: TOKEN }));
    const open = await rejectionOf(resolver.resolve({ kind: 'token', value: TOKEN }));
    expect(open).toMatchObject({ code: 'upstream.circuit_open' });
    expect(kratos.requestsTo(WHOAMI)).toHaveLength(3);
  });

  it('never opens on 401s: Kratos answering "no session" is Kratos working', async () => {
    kratos.answer(WHOAMI, { status: 401, body: { error: { code: 401 } } });
    for (let i = 0; i < 10; i += 1) {
      expect(await rejectionOf(whoami())).toBeInstanceOf(OryResponseError);
    }
    expect(guards.status('shop')['kratos-public']).toMatchObject({
      breaker: 'closed',
      consecutiveFailures: 0,
    });
    kratos.answer(WHOAMI, { status: 200, body: kratosSession() });
    await expect(whoami()).resolves.toMatchObject({ status: 200 });
    expect(events).toEqual([]);
  });

  it('shows the breakers of the upstreams the tenant has in the health indicator, open ones included, without calling them down', async () => {
    kratos.answer(WHOAMI, { status: 500, body: {} });
    await rejectionOf(whoami());
    const health = await new IamHealthIndicator(options, undefined, guards).isHealthy();
    expect(health).toEqual({
      iam: {
        status: 'up',
        tenants: {
          shop: {
            kratos: { status: 'up' },
            upstreams: {
              'kratos-public': {
                breaker: 'open',
                consecutiveFailures: 0,
                nextProbeInMs: expect.any(Number),
                inFlight: 0,
                maxConcurrent: 64,
              },
            },
          },
        },
      },
    });
  });
});
