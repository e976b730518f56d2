import { BadRequestException, NotFoundException } from '@nestjs/common';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IamModuleOptions } from '../../../src/config/module-options.js';
import { validateIamOptions } from '../../../src/config/validate-options.js';
import { IamConfigurationError, IamHttpError } from '../../../src/errors/iam-errors.js';
import type { TenantSessions } from '../../../src/ory/kratos/iam-session.js';
import { KratosSessionCache } from '../../../src/ory/kratos/session-cache.js';
import { KratosTenantSessions } from '../../../src/ory/kratos/tenant-sessions.js';
import { OryClients } from '../../../src/ory/ory-clients.js';
import { InMemorySessionStore } from '../../../src/session-cache/in-memory-session-store.js';
import type { SessionCacheStore } from '../../../src/session-cache/session-cache-store.js';
import { FakeKratos, kratosSession } from './fake-kratos.js';

const SESSION_ID = 'a6f5e1f2-0000-4000-8000-000000000001';
const IDENTITY_ID = 'b7a6f2e3-0000-4000-8000-000000000002';
const TOKEN = 'ory_st_abcdefghijklmnopqrstuvwxyz012345';
const WHOAMI = 'GET /sessions/whoami';

const kratos = new FakeKratos();
beforeAll(() => kratos.start());
afterAll(() => kratos.stop());
beforeEach(() => kratos.reset());

function sessionsFor({
  cached = true,
  store = new InMemorySessionStore(),
}: {
  cached?: boolean;
  store?: SessionCacheStore;
} = {}): TenantSessions {
  const options = validateIamOptions({
    tenants: {
      default: {
        transport: 'bearer',
        kratos: { publicUrl: kratos.url, adminUrl: kratos.url },
        http: { timeoutMs: 500, retries: 0 },
      },
    },
  } satisfies IamModuleOptions);
  const tenant = options.tenants.default;
  if (tenant === undefined) throw new Error('no tenant');
  const cache = cached ? new KratosSessionCache(store, 'default', 10_000) : undefined;
  return new KratosTenantSessions(tenant, new OryClients(options).kratos('default'), cache);
}

describe('SessionService (per tenant)', () => {
  it('whoami reads a request, a token or a Cookie header, forwarding one credential', async () => {
    kratos.answer(WHOAMI, { status: 200, body: kratosSession() });
    const sessions = sessionsFor({ cached: false });

    const fromHeaders = await sessions.whoami({ headers: { authorization: `Bearer ${TOKEN}` } });
    await sessions.whoami({ token: TOKEN });
    await sessions.whoami({ cookie: 'theme=dark; ory_kratos_session=abc123' });

    expect(fromHeaders).toMatchObject({
      id: SESSION_ID,
      active: true,
      aal: 'aal1',
      identity: { id: IDENTITY_ID, roles: ['editor'], state: 'active' },
    });
    expect(fromHeaders.expiresAt).toBeInstanceOf(Date);
    const sent = kratos.requestsTo(WHOAMI).map((request) => request.headers);
    expect(sent.map((headers) => headers['x-session-token'])).toEqual([TOKEN, TOKEN, undefined]);
    expect(sent[2]?.cookie).toBe('ory_kratos_session=abc123');
  });

  it('whoami without a credential is a 401, not a call to Kratos', async () => {
    const sessions = sessionsFor();
    await expect(sessions.whoami({ cookie: 'theme=dark' })).rejects.toMatchObject({
      code: 'auth.failure.missing_credentials',
    });
    expect(kratos.requests).toHaveLength(0);
  });

  it('revoke disables the session in Kratos and evicts it from the cache', async () => {
    kratos
      .answer(WHOAMI, { status: 200, body: kratosSession() })
      .answer(`DELETE /admin/sessions/${SESSION_ID}`, { status: 204 });
    const sessions = sessionsFor();
    await sessions.whoami({ token: TOKEN });
    await sessions.whoami({ token: TOKEN });
    expect(kratos.requestsTo(WHOAMI)).toHaveLength(1);

    await sessions.revoke(SESSION_ID);
    kratos.answer(WHOAMI, { status: 401, body: {} });

    await expect(sessions.whoami({ token: TOKEN })).rejects.toMatchObject({
      code: 'auth.failure.session_inactive',
    });
  });

  it('revoke evicts also when its answer is lost, since the revoke may have happened', async () => {
    kratos
      .answer(WHOAMI, { status: 200, body: kratosSession() })
      .answer(`DELETE /admin/sessions/${SESSION_ID}`, 'hang');
    const sessions = sessionsFor();
    await sessions.whoami({ token: TOKEN });

    await expect(sessions.revoke(SESSION_ID)).rejects.toMatchObject({
      code: 'auth.upstream_unavailable',
    });
    kratos.answer(WHOAMI, { status: 401, body: {} });

    await expect(sessions.whoami({ token: TOKEN })).rejects.toMatchObject({
      code: 'auth.failure.session_inactive',
    });
  });

  describe('a whoami Kratos answered before a revoke, arriving after its eviction', () => {
    it.each([
      ['revoke', (admin: TenantSessions) => admin.revoke(SESSION_ID)],
      ['revokeAllForIdentity', (admin: TenantSessions) => admin.revokeAllForIdentity(IDENTITY_ID)],
    ])('is not written back to the cache by %s', async (_name, revoke) => {
      // The transports and SessionService each have their own cache object over the one store.
      const store = new InMemorySessionStore();
      const requests = sessionsFor({ store });
      const admin = sessionsFor({ store });
      kratos
        .answer(`DELETE /admin/sessions/${SESSION_ID}`, { status: 204 })
        .answer(`DELETE /admin/identities/${IDENTITY_ID}/sessions`, { status: 204 });
      const held = kratos.hold(WHOAMI, { status: 200, body: kratosSession() });
      const inFlight = requests.whoami({ token: TOKEN });
      await held.arrived;

      await revoke(admin);
      held.release();
      // It was the session when Kratos answered: this one caller may have it.
      expect((await inFlight).id).toBe(SESSION_ID);

      kratos.answer(WHOAMI, { status: 401, body: {} });
      await expect(requests.whoami({ token: TOKEN })).rejects.toMatchObject({
        code: 'auth.failure.session_inactive',
      });
      expect(kratos.requestsTo(WHOAMI)).toHaveLength(2);
    });
  });

  it('revokeAllForIdentity evicts, and treats Kratos 404 for a known identity as done', async () => {
    kratos.answer(WHOAMI, { status: 200, body: kratosSession() });
    const sessions = sessionsFor();
    await sessions.whoami({ token: TOKEN });

    // Kratos v1.3.1 answers 404 when it deleted no session row, known identity or not.
    kratos
      .answer(`DELETE /admin/identities/${IDENTITY_ID}/sessions`, { status: 404, body: {} })
      .answer(`GET /admin/identities/${IDENTITY_ID}`, {
        status: 200,
        body: kratosSession().identity,
      });
    await sessions.revokeAllForIdentity(IDENTITY_ID);
    await sessions.whoami({ token: TOKEN });

    expect(kratos.requestsTo(WHOAMI)).toHaveLength(2);
  });

  it('revokeAllForIdentity of an unknown identity is a 404 identity.not_found, not a success', async () => {
    kratos.answer(`DELETE /admin/identities/${IDENTITY_ID}/sessions`, { status: 404, body: {} });
    await expect(sessionsFor().revokeAllForIdentity(IDENTITY_ID)).rejects.toMatchObject({
      status: 404,
      response: { statusCode: 404, code: 'identity.not_found', message: 'Identity not found.' },
    });
  });

  it('list of an unknown identity is a 404 identity.not_found; a known one may have none', async () => {
    const route = `GET /admin/identities/${IDENTITY_ID}/sessions`;
    kratos.answer(route, { status: 200, body: [], headers: { 'x-total-count': '0' } });
    const sessions = sessionsFor();

    await expect(sessions.list(IDENTITY_ID)).rejects.toMatchObject({
      status: 404,
      response: { code: 'identity.not_found' },
    });

    kratos.answer(`GET /admin/identities/${IDENTITY_ID}`, {
      status: 200,
      body: kratosSession().identity,
    });
    expect(await sessions.list(IDENTITY_ID)).toEqual({ sessions: [], nextPageToken: undefined });
  });

  it('answers 404 session.not_found for an unknown session id', async () => {
    kratos
      .answer(`DELETE /admin/sessions/${SESSION_ID}`, { status: 404, body: {} })
      .answer(`PATCH /admin/sessions/${SESSION_ID}/extend`, { status: 404, body: {} });
    const sessions = sessionsFor();

    await expect(sessions.revoke(SESSION_ID)).rejects.toBeInstanceOf(NotFoundException);
    await expect(sessions.extend(SESSION_ID)).rejects.toMatchObject({
      response: { statusCode: 404, code: 'session.not_found', message: 'Session not found.' },
    });
  });

  it('answers 503 when the admin API refuses the library or fails', async () => {
    kratos
      .answer(`DELETE /admin/sessions/${SESSION_ID}`, { status: 401, body: {} })
      .answer(`PATCH /admin/sessions/${SESSION_ID}/extend`, { status: 500, body: {} });
    const sessions = sessionsFor();

    for (const call of [sessions.revoke(SESSION_ID), sessions.extend(SESSION_ID)]) {
      const error = await call.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(IamHttpError);
      expect((error as IamHttpError).getStatus()).toBe(503);
    }
  });

  it('extend returns the session, also when Kratos answers 204 without it', async () => {
    const later = new Date(Date.now() + 7_200_000).toISOString();
    kratos.answer(`PATCH /admin/sessions/${SESSION_ID}/extend`, {
      status: 200,
      body: kratosSession({ expires_at: later }),
    });
    const sessions = sessionsFor();
    expect((await sessions.extend(SESSION_ID)).expiresAt?.toISOString()).toBe(later);

    kratos
      .answer(`PATCH /admin/sessions/${SESSION_ID}/extend`, { status: 204 })
      .answer(`GET /admin/sessions/${SESSION_ID}`, { status: 200, body: kratosSession() });
    expect((await sessions.extend(SESSION_ID)).id).toBe(SESSION_ID);
  });

  it('pages with its own token, asking Kratos for 1-based pages', async () => {
    const route = `GET /admin/identities/${IDENTITY_ID}/sessions`;
    const sessions = sessionsFor();

    kratos.answer(route, {
      status: 200,
      body: [kratosSession(), kratosSession()],
      headers: { 'x-total-count': '3' },
    });
    const first = await sessions.list(IDENTITY_ID, { pageSize: 2, active: true });
    expect(first.sessions).toHaveLength(2);
    expect(first.nextPageToken).toEqual(expect.any(String));

    kratos.answer(route, {
      status: 200,
      body: [kratosSession()],
      headers: { 'x-total-count': '3' },
    });
    const last = await sessions.list(IDENTITY_ID, { pageSize: 2, pageToken: first.nextPageToken });
    expect(last.nextPageToken).toBeUndefined();

    const asked = kratos.requestsTo(route).map((request) => Object.fromEntries(request.query));
    expect(asked).toEqual([
      { page: '1', per_page: '2', active: 'true' },
      { page: '2', per_page: '2' },
    ]);
  });

  it('without X-Total-Count, a full page has a next one and a short page ends', async () => {
    const route = `GET /admin/identities/${IDENTITY_ID}/sessions`;
    const sessions = sessionsFor();
    kratos.answer(route, { status: 200, body: [kratosSession()] });
    expect((await sessions.list(IDENTITY_ID, { pageSize: 1 })).nextPageToken).toBeDefined();
    expect((await sessions.list(IDENTITY_ID, { pageSize: 2 })).nextPageToken).toBeUndefined();
  });

  it('rejects a page token it did not issue and an out-of-range page size', async () => {
    const sessions = sessionsFor();
    for (const paging of [{ pageToken: 'bm9wZQ' }, { pageSize: 0 }, { pageSize: 1_001 }]) {
      await expect(sessions.list(IDENTITY_ID, paging)).rejects.toBeInstanceOf(BadRequestException);
    }
    expect(kratos.requests).toHaveLength(0);
  });

  it('needs kratos.adminUrl for the admin operations, and says so', async () => {
    const options = validateIamOptions({
      tenants: { default: { transport: 'bearer', kratos: { publicUrl: kratos.url } } },
    });
    const tenant = options.tenants.default;
    if (tenant === undefined) throw new Error('no tenant');
    const sessions = new KratosTenantSessions(
      tenant,
      new OryClients(options).kratos('default'),
      undefined,
    );

    await expect(sessions.revoke(SESSION_ID)).rejects.toThrow(IamConfigurationError);
    await expect(sessions.list(IDENTITY_ID)).rejects.toThrow(
      /tenants\.default\.kratos\.adminUrl: is required for SessionService\.list\(\)/,
    );
  });
});
