import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IamModuleOptions } from '../../../src/config/module-options.js';
import { validateIamOptions } from '../../../src/config/validate-options.js';
import { IamBadRequestError } from '../../../src/errors/iam-errors.js';
import { KratosSessionCache } from '../../../src/ory/kratos/session-cache.js';
import { KratosTenantFlows } from '../../../src/ory/kratos/tenant-flows.js';
import { KratosTenantIdentities } from '../../../src/ory/kratos/tenant-identities.js';
import { KratosTenantSessions } from '../../../src/ory/kratos/tenant-sessions.js';
import { OryClients } from '../../../src/ory/ory-clients.js';
import { InMemorySessionStore } from '../../../src/session-cache/in-memory-session-store.js';
import { FakeKratos } from './fake-kratos.js';

const UUID = 'b7a6f2e3-0000-4000-8000-000000000002';

/**
 * Ids that would reach a different admin URL, or none, if they were put in a path: `..` and `.`
 * collapse the path (`/admin/identities/../sessions` is `/admin/sessions`), `/` and its encodings
 * add segments, and the rest are not UUIDs at all.
 */
const BAD_IDS: readonly unknown[] = [
  '..',
  '.',
  '',
  '../sessions',
  `${UUID}/..`,
  `${UUID}/sessions`,
  '%2e%2e',
  `${UUID}?expand=identity`,
  ` ${UUID}`,
  `${UUID}\n`,
  UUID.replaceAll('-', ''),
  42,
  undefined,
  null,
];

const kratos = new FakeKratos();
beforeAll(() => kratos.start());
afterAll(() => kratos.stop());
beforeEach(() => kratos.reset());

function services() {
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
  const clients = new OryClients(options).kratos('default');
  const cache = new KratosSessionCache(new InMemorySessionStore(), 'default', 10_000);
  const sessions = new KratosTenantSessions(tenant, clients, cache);
  const identities = new KratosTenantIdentities(tenant, clients, sessions, cache);
  const flows = new KratosTenantFlows(tenant, clients, cache);
  return { sessions, identities, flows };
}

/** Every service method that puts an id into a Kratos URL, called with `id`. */
function callsWithId(id: unknown): Array<[string, () => Promise<unknown>]> {
  const { sessions, identities, flows } = services();
  // The services are typed for strings; a controller hands them whatever a client sent.
  const raw = id as string;
  const body = { identifier: 'a@example.test', password: 'x' };
  return [
    ['SessionService.list', () => sessions.list(raw)],
    ['SessionService.revoke', () => sessions.revoke(raw)],
    ['SessionService.revokeAllForIdentity', () => sessions.revokeAllForIdentity(raw)],
    ['SessionService.extend', () => sessions.extend(raw)],
    ['IdentityService.get', () => identities.get(raw)],
    ['IdentityService.update', () => identities.update(raw, { traits: {}, state: 'active' })],
    [
      'IdentityService.patch',
      () => identities.patch(raw, [{ op: 'replace', path: '/state', value: 'active' }]),
    ],
    ['IdentityService.delete', () => identities.delete(raw)],
    ['IdentityService.activate', () => identities.activate(raw)],
    ['IdentityService.deactivate', () => identities.deactivate(raw, { revokeSessions: true })],
    ['IdentityService.sessions', () => identities.sessions(raw)],
    ['FlowService.submitLogin', () => flows.submitLogin(raw, body)],
    ['FlowService.submitRegistration', () => flows.submitRegistration(raw, body)],
    ['FlowService.submitRecovery', () => flows.submitRecovery(raw, body)],
    ['FlowService.submitVerification', () => flows.submitVerification(raw, body)],
    ['FlowService.submitSettings', () => flows.submitSettings(raw, body, { sessionToken: 't' })],
  ];
}

describe('ids in Kratos URLs', () => {
  it.each(BAD_IDS.map((id) => [JSON.stringify(id) ?? String(id), id]))(
    'refuses the id %s with a 400 request.invalid_id in every method, without asking Kratos',
    async (_name, id) => {
      for (const [method, call] of callsWithId(id)) {
        const error = await call().then(
          () => new Error(`${method} resolved`),
          (caught: unknown) => caught,
        );
        expect(error, method).toBeInstanceOf(IamBadRequestError);
        expect((error as IamBadRequestError).getResponse(), method).toEqual({
          statusCode: 400,
          code: 'request.invalid_id',
          message: expect.stringMatching(/^The (identity|session|flow) id must be a UUID\.$/),
        });
      }
      expect(kratos.requests.map((request) => `${request.method} ${request.path}`)).toEqual([]);
    },
  );

  it('puts a UUID into the path as it is, in any case', async () => {
    const upper = UUID.toUpperCase();
    kratos.answer(`DELETE /admin/sessions/${upper}`, { status: 204 });
    await services().sessions.revoke(upper);
    expect(kratos.requestsTo(`DELETE /admin/sessions/${upper}`)).toHaveLength(1);
  });
});
