import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IamModuleOptions } from '../../../src/config/module-options.js';
import { validateIamOptions } from '../../../src/config/validate-options.js';
import { KratosSessionCache } from '../../../src/ory/kratos/session-cache.js';
import { KratosTenantFlows } from '../../../src/ory/kratos/tenant-flows.js';
import { KratosTenantSessions } from '../../../src/ory/kratos/tenant-sessions.js';
import { OryClients } from '../../../src/ory/ory-clients.js';
import { InMemorySessionStore } from '../../../src/session-cache/in-memory-session-store.js';
import { FakeKratos, kratosSession } from './fake-kratos.js';

const TOKEN = 'ory_st_abcdefghijklmnopqrstuvwxyz012345';
const COOKIE = 'MTcwMDAwMDAwMHxzZXNzaW9u';
const WHOAMI = 'GET /sessions/whoami';
const NATIVE_LOGOUT = 'DELETE /self-service/logout/api';

const kratos = new FakeKratos();
beforeAll(() => kratos.start());
afterAll(() => kratos.stop());
beforeEach(() => kratos.reset());

/** Flows and sessions of one tenant over one session cache store, as FlowService and the guards. */
function setup() {
  const options = validateIamOptions({
    tenants: {
      default: {
        transport: 'cookie-or-bearer',
        kratos: { publicUrl: kratos.url, sessionCache: { enabled: true } },
        http: { timeoutMs: 500, retries: 0 },
      },
    },
  } satisfies IamModuleOptions);
  const tenant = options.tenants.default;
  if (tenant === undefined) throw new Error('no tenant');
  const clients = new OryClients(options).kratos('default');
  const store = new InMemorySessionStore();
  const cacheOf = () => new KratosSessionCache(store, 'default', 10_000);
  return {
    sessions: new KratosTenantSessions(tenant, clients, cacheOf()),
    flows: new KratosTenantFlows(tenant, clients, cacheOf()),
  };
}

/** After the logout, Kratos says the credential is no longer a session. */
async function expectAskedKratosAgain(check: () => Promise<unknown>): Promise<void> {
  kratos.answer(WHOAMI, { status: 401, body: {} });
  await expect(check()).rejects.toMatchObject({ code: 'auth.failure.session_inactive' });
  expect(kratos.requestsTo(WHOAMI)).toHaveLength(2);
}

describe('FlowService.logout and the session cache', () => {
  it('a native logout evicts the token, so the next request with it asks Kratos', async () => {
    const { sessions, flows } = setup();
    kratos
      .answer(WHOAMI, { status: 200, body: kratosSession() })
      .answer(NATIVE_LOGOUT, { status: 204 });
    await sessions.whoami({ token: TOKEN });

    await flows.logout({ sessionToken: TOKEN });

    expect(kratos.requestsTo(NATIVE_LOGOUT)).toHaveLength(1);
    await expectAskedKratosAgain(() => sessions.whoami({ token: TOKEN }));
  });

  it('a browser logout evicts the session cookie', async () => {
    const { sessions, flows } = setup();
    const cookie = `theme=dark; ory_kratos_session=${COOKIE}`;
    kratos
      .answer(WHOAMI, { status: 200, body: kratosSession() })
      .answer('GET /self-service/logout/browser', {
        status: 200,
        body: { logout_token: 'lt', logout_url: 'http://kratos/self-service/logout?token=lt' },
      })
      .answer('GET /self-service/logout', { status: 204 });
    await sessions.whoami({ cookie });

    await flows.logout({ mode: 'browser', cookie });

    await expectAskedKratosAgain(() => sessions.whoami({ cookie }));
  });

  it('evicts also when the logout answer is lost, since the logout may have happened', async () => {
    const { sessions, flows } = setup();
    kratos.answer(WHOAMI, { status: 200, body: kratosSession() }).answer(NATIVE_LOGOUT, 'hang');
    await sessions.whoami({ token: TOKEN });

    await expect(flows.logout({ sessionToken: TOKEN })).rejects.toMatchObject({
      code: 'auth.upstream_unavailable',
    });

    await expectAskedKratosAgain(() => sessions.whoami({ token: TOKEN }));
  });

  it('a native logout of a token Kratos does not know is a 401, not a success', async () => {
    kratos.answer(NATIVE_LOGOUT, {
      status: 403,
      body: { error: { code: 403, status: 'Forbidden', reason: 'could not be found' } },
    });
    await expect(setup().flows.logout({ sessionToken: TOKEN })).rejects.toMatchObject({
      response: { statusCode: 401, code: 'auth.failure.session_inactive' },
    });
  });

  it('a token no transport would accept was never cached: Kratos alone answers its logout', async () => {
    kratos.answer(NATIVE_LOGOUT, { status: 403, body: { error: { code: 403 } } });
    await expect(setup().flows.logout({ sessionToken: 'not a token' })).rejects.toMatchObject({
      response: { statusCode: 401, code: 'auth.failure.session_inactive' },
    });
    expect(kratos.requestsTo(NATIVE_LOGOUT)).toHaveLength(1);
  });

  it('a whoami Kratos answered before the logout is not cached after it', async () => {
    const { sessions, flows } = setup();
    kratos.answer(NATIVE_LOGOUT, { status: 204 });
    const held = kratos.hold(WHOAMI, { status: 200, body: kratosSession() });
    const inFlight = sessions.whoami({ token: TOKEN });
    await held.arrived;

    await flows.logout({ sessionToken: TOKEN });
    held.release();
    await inFlight;

    await expectAskedKratosAgain(() => sessions.whoami({ token: TOKEN }));
  });
});
