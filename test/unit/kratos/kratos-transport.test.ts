import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditEmitter } from '../../../src/audit/audit-emitter.js';
import type { TenantConfig } from '../../../src/config/tenant-config.js';
import { validateIamOptions } from '../../../src/config/validate-options.js';
import { IamHttpError, IamUpstreamUnavailableError } from '../../../src/errors/iam-errors.js';
import { OryClients } from '../../../src/ory/ory-clients.js';
import { HttpIamRequest } from '../../../src/request/http-request.js';
import { InMemorySessionStore } from '../../../src/session-cache/in-memory-session-store.js';
import type { SessionCacheStore } from '../../../src/session-cache/session-cache-store.js';
import { createKratosTransport } from '../../../src/transport/kratos-transport.js';
import type { Transport } from '../../../src/transport/transport.js';
import { FakeKratos, kratosSession } from './fake-kratos.js';

const WHOAMI = 'GET /sessions/whoami';
const COOKIE_VALUE = 'MTcwMDAwMDAwMHxzZXNzaW9uLWNvb2tpZQ==';
const TOKEN = 'ory_st_abcdefghijklmnopqrstuvwxyz012345';

const kratos = new FakeKratos();
beforeAll(() => kratos.start());
afterAll(() => kratos.stop());
beforeEach(() => kratos.reset());

function transportFor(
  tenant: Partial<TenantConfig> & Pick<TenantConfig, 'transport'>,
  sessionCacheStore?: SessionCacheStore,
): Transport {
  const options = validateIamOptions({
    tenants: {
      default: {
        kratos: { publicUrl: kratos.url },
        http: { timeoutMs: 300, retries: 1 },
        ...tenant,
      },
    },
  });
  const config = options.tenants.default;
  if (config === undefined) throw new Error('no tenant');
  return createKratosTransport(config, {
    replayCache: { seen: async () => false, remember: async () => undefined },
    audit: new AuditEmitter({ emit: () => undefined }),
    oryClients: new OryClients(options),
    sessionCacheStore,
  });
}

const requestWith = (headers: Record<string, string>) => new HttpIamRequest({ headers });

async function rejectionOf(promise: Promise<unknown>): Promise<IamHttpError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof IamHttpError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('Kratos transports', () => {
  it('forwards only the session cookie, rebuilt from its value, and maps the session', async () => {
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    kratos.answer(WHOAMI, { status: 200, body: kratosSession({ expires_at: expiresAt }) });
    const transport = transportFor({ transport: 'cookie' });

    const identity = await transport.authenticate(
      requestWith({
        cookie: `theme=dark; ory_kratos_session=${COOKIE_VALUE}; csrf_token_x=secret`,
        authorization: `Bearer ${TOKEN}`,
      }),
    );

    expect(identity).toEqual({
      id: 'b7a6f2e3-0000-4000-8000-000000000002',
      kind: 'user',
      tenant: 'default',
      roles: ['editor'],
      traits: { email: 'alice@example.test', roles: ['trait-admin'] },
      metadataPublic: { roles: ['editor'] },
      sessionId: 'a6f5e1f2-0000-4000-8000-000000000001',
      aal: 'aal1',
      expiresAt: Date.parse(expiresAt),
      via: 'kratos-cookie',
    });
    expect(Object.isFrozen(identity)).toBe(true);
    expect(Object.isFrozen(identity?.roles)).toBe(true);
    const [sent] = kratos.requestsTo(WHOAMI);
    expect(sent?.headers.cookie).toBe(`ory_kratos_session=${COOKIE_VALUE}`);
    expect(sent?.headers['x-session-token']).toBeUndefined();
    expect(sent?.headers.authorization).toBeUndefined();
  });

  it('sends a bearer or X-Session-Token token as X-Session-Token, and no cookie', async () => {
    kratos.answer(WHOAMI, { status: 200, body: kratosSession() });
    const transport = transportFor({ transport: 'bearer' });

    const variants: Record<string, string>[] = [
      { authorization: `Bearer ${TOKEN}` },
      { 'x-session-token': TOKEN },
    ];
    for (const headers of variants) {
      const identity = await transport.authenticate(
        requestWith({ ...headers, cookie: `ory_kratos_session=${COOKIE_VALUE}` }),
      );
      expect(identity?.via).toBe('kratos-bearer');
    }
    for (const sent of kratos.requestsTo(WHOAMI)) {
      expect(sent.headers['x-session-token']).toBe(TOKEN);
      expect(sent.headers.cookie).toBeUndefined();
      expect(sent.headers.authorization).toBeUndefined();
    }
  });

  it('uses the configured cookie name and ignores the default one', async () => {
    kratos.answer(WHOAMI, { status: 200, body: kratosSession() });
    const transport = transportFor({
      transport: 'cookie',
      kratos: { publicUrl: kratos.url, sessionCookieName: 'app_session' },
    });

    expect(
      await transport.authenticate(requestWith({ cookie: `ory_kratos_session=${COOKIE_VALUE}` })),
    ).toBeUndefined();
    await transport.authenticate(requestWith({ cookie: `app_session=${COOKIE_VALUE}` }));
    expect(kratos.requestsTo(WHOAMI).map((sent) => sent.headers.cookie)).toEqual([
      `app_session=${COOKIE_VALUE}`,
    ]);
  });

  it('resolves undefined without asking Kratos when there is no credential', async () => {
    const transport = transportFor({ transport: 'cookie-or-bearer' });
    expect(await transport.authenticate(requestWith({ cookie: 'theme=dark' }))).toBeUndefined();
    expect(kratos.requests).toHaveLength(0);
  });

  it('rejects a malformed credential with 401 without asking Kratos', async () => {
    const transport = transportFor({ transport: 'cookie-or-bearer' });
    const error = await rejectionOf(
      transport.authenticate(requestWith({ cookie: 'ory_kratos_session=a%0D%0Ab' })),
    );
    expect([error.getStatus(), error.code]).toEqual([401, 'auth.failure.malformed']);
    expect(kratos.requests).toHaveLength(0);
  });

  it.each([
    [
      'Kratos says 401',
      { status: 401, body: { error: { code: 401 } } },
      401,
      'auth.failure.session_inactive',
    ],
    [
      'Kratos says 403 (higher AAL)',
      { status: 403, body: { error: { code: 403 } } },
      403,
      'authz.aal.insufficient',
    ],
    [
      'active is false',
      { status: 200, body: kratosSession({ active: false }) },
      401,
      'auth.failure.session_inactive',
    ],
    [
      'expires_at has passed',
      {
        status: 200,
        body: kratosSession({ expires_at: new Date(Date.now() - 1_000).toISOString() }),
      },
      401,
      'auth.failure.session_inactive',
    ],
    [
      'the identity is deactivated',
      { status: 200, body: kratosSession({ identity: { state: 'inactive' } }) },
      401,
      'auth.failure.session_inactive',
    ],
    [
      'the body is not a session',
      { status: 200, body: ['nope'] },
      503,
      'auth.upstream_unavailable',
    ],
    [
      'the session has no identity',
      { status: 200, body: kratosSession({ identity: null }) },
      503,
      'auth.upstream_unavailable',
    ],
    [
      'Kratos answers an unexpected 404',
      { status: 404, body: {} },
      503,
      'auth.upstream_unavailable',
    ],
  ] as const)('rejects when %s', async (_case, answer, status, code) => {
    kratos.answer(WHOAMI, answer);
    const error = await rejectionOf(
      transportFor({ transport: 'bearer' }).authenticate(requestWith({ 'x-session-token': TOKEN })),
    );
    expect([error.getStatus(), error.code]).toEqual([status, code]);
  });

  it('answers 503 with Retry-After after retrying a 5xx, and after a timeout', async () => {
    const transport = transportFor({ transport: 'bearer' });
    kratos.answer(WHOAMI, { status: 502, body: {} });
    const failed = await rejectionOf(
      transport.authenticate(requestWith({ 'x-session-token': TOKEN })),
    );
    expect(failed).toBeInstanceOf(IamUpstreamUnavailableError);
    expect((failed as IamUpstreamUnavailableError).retryAfterSeconds).toBeGreaterThan(0);
    expect(kratos.requestsTo(WHOAMI)).toHaveLength(2);

    kratos.answer(WHOAMI, 'hang');
    const started = Date.now();
    const timedOut = await rejectionOf(
      transport.authenticate(requestWith({ 'x-session-token': TOKEN })),
    );
    expect(timedOut.code).toBe('auth.upstream_unavailable');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('never takes roles from traits, whatever the claim paths say', async () => {
    kratos.answer(WHOAMI, {
      status: 200,
      body: kratosSession({ identity: { metadata_public: null, traits: { roles: ['admin'] } } }),
    });
    const transport = transportFor({
      transport: 'bearer',
      claims: { roles: ['traits.roles', 'roles', 'metadata_public.roles'] },
    });

    const identity = await transport.authenticate(requestWith({ 'x-session-token': TOKEN }));

    expect(identity?.roles).toEqual([]);
  });

  describe('with the session cache', () => {
    const cached = (store: SessionCacheStore = new InMemorySessionStore()) =>
      transportFor(
        {
          transport: 'cookie-or-bearer',
          kratos: { publicUrl: kratos.url, sessionCache: { enabled: true } },
        },
        store,
      );

    it('asks Kratos once per credential within the ttl', async () => {
      kratos.answer(WHOAMI, { status: 200, body: kratosSession() });
      const transport = cached();

      const first = await transport.authenticate(requestWith({ 'x-session-token': TOKEN }));
      const second = await transport.authenticate(requestWith({ 'x-session-token': TOKEN }));
      await transport.authenticate(requestWith({ cookie: `ory_kratos_session=${COOKIE_VALUE}` }));

      expect(second).toEqual(first);
      expect(kratos.requestsTo(WHOAMI)).toHaveLength(2);
    });

    it('does not cache a rejection', async () => {
      kratos.answer(WHOAMI, { status: 401, body: {} });
      const transport = cached();
      await rejectionOf(transport.authenticate(requestWith({ 'x-session-token': TOKEN })));
      kratos.answer(WHOAMI, { status: 200, body: kratosSession() });

      expect(await transport.authenticate(requestWith({ 'x-session-token': TOKEN }))).toBeDefined();
    });

    it('asks Kratos when the store fails, and still rejects what Kratos rejects', async () => {
      const failing: SessionCacheStore = {
        get: () => Promise.reject(new Error('down')),
        set: () => Promise.reject(new Error('down')),
        deleteTagged: () => Promise.reject(new Error('down')),
        generation: () => Promise.reject(new Error('down')),
      };
      const transport = cached(failing);
      kratos.answer(WHOAMI, { status: 200, body: kratosSession() });
      expect(await transport.authenticate(requestWith({ 'x-session-token': TOKEN }))).toBeDefined();

      kratos.answer(WHOAMI, { status: 401, body: {} });
      const error = await rejectionOf(
        transport.authenticate(requestWith({ 'x-session-token': TOKEN })),
      );
      expect(error.code).toBe('auth.failure.session_inactive');
    });
  });
});
