import { HttpException } from '@nestjs/common';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IamModuleOptions } from '../../../src/config/module-options.js';
import { validateIamOptions } from '../../../src/config/validate-options.js';
import { IamConfigurationError, IamHttpError } from '../../../src/errors/iam-errors.js';
import { kratosPatchOf } from '../../../src/ory/kratos/identity-mapping.js';
import type { TenantIdentities } from '../../../src/ory/kratos/identity-types.js';
import { KratosSessionCache } from '../../../src/ory/kratos/session-cache.js';
import { KratosTenantIdentities } from '../../../src/ory/kratos/tenant-identities.js';
import { KratosTenantSessions } from '../../../src/ory/kratos/tenant-sessions.js';
import { OryClients } from '../../../src/ory/ory-clients.js';
import { InMemorySessionStore } from '../../../src/session-cache/in-memory-session-store.js';
import { FakeKratos, kratosSession } from './fake-kratos.js';

const IDENTITY_ID = 'b7a6f2e3-0000-4000-8000-000000000002';
const TOKEN = 'ory_st_abcdefghijklmnopqrstuvwxyz012345';
const ITEM = `/admin/identities/${IDENTITY_ID}`;

const kratos = new FakeKratos();
beforeAll(() => kratos.start());
afterAll(() => kratos.stop());
beforeEach(() => kratos.reset());

function kratosIdentity(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: IDENTITY_ID,
    schema_id: 'default',
    schema_url: 'http://kratos/schemas/default',
    state: 'active',
    state_changed_at: '2026-01-02T03:04:05.000Z',
    traits: { email: 'alice@example.test' },
    metadata_public: { roles: ['editor'] },
    metadata_admin: { note: 'vip' },
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-02T00:00:00.000Z',
    credentials: { password: { identifiers: ['alice@example.test'], config: { secret: 'x' } } },
    verifiable_addresses: [
      { value: 'alice@example.test', via: 'email', verified: false, status: 'pending' },
    ],
    recovery_addresses: [{ value: 'alice@example.test', via: 'email' }],
    ...overrides,
  };
}

function setup({ admin = true } = {}) {
  const options = validateIamOptions({
    tenants: {
      default: {
        transport: 'bearer',
        kratos: { publicUrl: kratos.url, ...(admin ? { adminUrl: kratos.url } : {}) },
        http: { timeoutMs: 500, retries: 0 },
      },
    },
  } satisfies IamModuleOptions);
  const tenant = options.tenants.default;
  if (tenant === undefined) throw new Error('no tenant');
  const clients = new OryClients(options).kratos('default');
  const cache = new KratosSessionCache(new InMemorySessionStore(), 'default', 10_000);
  const sessions = new KratosTenantSessions(tenant, clients, cache);
  const identities: TenantIdentities = new KratosTenantIdentities(tenant, clients, sessions, cache);
  return { identities, sessions };
}

async function errorOf(promise: Promise<unknown>): Promise<{ status: number; body: unknown }> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof HttpException)) throw new Error(`expected an HttpException: ${error}`);
  return { status: error.getStatus(), body: error.getResponse() };
}

describe('IdentityService (per tenant)', () => {
  it('get maps the identity to the library type, without credentials', async () => {
    kratos.answer(`GET ${ITEM}`, { status: 200, body: kratosIdentity() });
    const record = await setup().identities.get(IDENTITY_ID);

    expect(record).toEqual({
      id: IDENTITY_ID,
      tenant: 'default',
      state: 'active',
      roles: ['editor'],
      traits: { email: 'alice@example.test' },
      metadataPublic: { roles: ['editor'] },
      metadataAdmin: { note: 'vip' },
      schemaId: 'default',
      createdAt: new Date('2026-01-01T00:00:00.000Z'),
      updatedAt: new Date('2026-01-02T00:00:00.000Z'),
      stateChangedAt: new Date('2026-01-02T03:04:05.000Z'),
      verifiableAddresses: [
        {
          value: 'alice@example.test',
          via: 'email',
          verified: false,
          status: 'pending',
          verifiedAt: undefined,
        },
      ],
      recoveryAddresses: [{ value: 'alice@example.test', via: 'email' }],
    });
    expect(JSON.stringify(record)).not.toMatch(/credentials|secret|schema_url/);
  });

  it('an unknown id is a 404 identity.not_found on get, write and delete; never a 500', async () => {
    const { identities } = setup();
    const calls = [
      () => identities.get(IDENTITY_ID),
      () => identities.patch(IDENTITY_ID, [{ op: 'replace', path: '/state', value: 'inactive' }]),
      () => identities.update(IDENTITY_ID, { traits: {}, state: 'active' }),
      () => identities.delete(IDENTITY_ID),
      () => identities.deactivate(IDENTITY_ID),
    ];
    for (const call of calls) {
      expect(await errorOf(call())).toEqual({
        status: 404,
        body: { statusCode: 404, code: 'identity.not_found', message: 'Identity not found.' },
      });
    }
  });

  it('maps Kratos rejections: 400 invalid with its reason, 409 conflict, 5xx and 401 to 503', async () => {
    const { identities } = setup();
    kratos.answer('POST /admin/identities', {
      status: 400,
      body: { error: { code: 400, reason: 'traits.email: not an email' } },
    });
    expect(await errorOf(identities.create({ traits: { email: 'x' } }))).toMatchObject({
      status: 400,
      body: { code: 'identity.invalid', message: 'traits.email: not an email' },
    });

    kratos.answer('POST /admin/identities', { status: 409, body: { error: { code: 409 } } });
    expect(await errorOf(identities.create({ traits: {} }))).toMatchObject({
      status: 409,
      body: { code: 'identity.conflict' },
    });

    for (const status of [500, 401]) {
      kratos.answer(`GET ${ITEM}`, { status, body: {} });
      const error = await identities.get(IDENTITY_ID).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(IamHttpError);
      expect((error as IamHttpError).getStatus()).toBe(503);
    }
  });

  it('lists with keyset paging, wrapping the next token of the Link header', async () => {
    const { identities } = setup();
    const route = 'GET /admin/identities';
    kratos.answer(route, {
      status: 200,
      body: [kratosIdentity(), kratosIdentity()],
      headers: {
        link: '</admin/identities?page_size=2&page_token=00000000-0000-0000-0000-000000000000>; rel="first",</admin/identities?page_size=2&page_token=abc-123>; rel="next"',
      },
    });
    const first = await identities.list({ pageSize: 2, credentialsIdentifier: 'a@example.test' });
    expect(first.identities).toHaveLength(2);
    expect(first.nextPageToken).toEqual(expect.any(String));
    expect(first.nextPageToken).not.toContain('abc-123');

    kratos.answer(route, { status: 200, body: [kratosIdentity()] });
    const last = await identities.list({ pageSize: 2, pageToken: first.nextPageToken });
    expect(last.nextPageToken).toBeUndefined();

    expect(kratos.requestsTo(route).map((request) => Object.fromEntries(request.query))).toEqual([
      { page_size: '2', credentials_identifier: 'a@example.test' },
      { page_size: '2', page_token: 'abc-123' },
    ]);
  });

  it('refuses paging arguments and patch paths it does not know, before asking Kratos', async () => {
    const { identities } = setup();
    const refused = [
      () => identities.list({ pageToken: 'not-ours' }),
      () => identities.list({ pageSize: 0 }),
      () => identities.list({ pageSize: 1_001 }),
      () => identities.list({ credentialsIdentifier: '' }),
      () => identities.patch(IDENTITY_ID, [{ op: 'replace', path: '/credentials', value: {} }]),
      () => identities.patch(IDENTITY_ID, []),
      () => identities.import([], { chunkSize: 501 }),
      () => identities.create({ traits: {}, credentials: { password: {} } }),
    ];
    for (const call of refused) {
      expect(await errorOf(call())).toMatchObject({
        status: 400,
        body: { code: 'identity.invalid_request' },
      });
    }
    expect(kratos.requests).toHaveLength(0);
  });

  it('translates patch paths from the record names to Kratos names', () => {
    expect(
      kratosPatchOf([
        { op: 'add', path: '/metadataPublic/roles', value: ['admin'] },
        { op: 'move', from: '/traits/old', path: '/traits/new' },
        { op: 'replace', path: '/schemaId', value: 'v2' },
        { op: 'remove', path: '/metadataAdmin' },
      ]),
    ).toEqual([
      { op: 'add', path: '/metadata_public/roles', value: ['admin'] },
      { op: 'move', from: '/traits/old', path: '/traits/new' },
      { op: 'replace', path: '/schema_id', value: 'v2' },
      { op: 'remove', path: '/metadata_admin' },
    ]);
  });

  it('deactivate patches the state and evicts the identity from the session cache', async () => {
    const { identities, sessions } = setup();
    kratos
      .answer('GET /sessions/whoami', { status: 200, body: kratosSession() })
      .answer(`PATCH ${ITEM}`, { status: 200, body: kratosIdentity({ state: 'inactive' }) });
    await sessions.whoami({ token: TOKEN });
    await sessions.whoami({ token: TOKEN });
    expect(kratos.requestsTo('GET /sessions/whoami')).toHaveLength(1);

    const record = await identities.deactivate(IDENTITY_ID);

    expect(record.state).toBe('inactive');
    await sessions.whoami({ token: TOKEN });
    expect(kratos.requestsTo('GET /sessions/whoami')).toHaveLength(2);
  });

  it('deactivate with revokeSessions also revokes the sessions in Kratos', async () => {
    kratos
      .answer(`PATCH ${ITEM}`, { status: 200, body: kratosIdentity({ state: 'inactive' }) })
      .answer(`DELETE ${ITEM}/sessions`, { status: 204 });
    await setup().identities.deactivate(IDENTITY_ID, { revokeSessions: true });
    expect(kratos.requestsTo(`DELETE ${ITEM}/sessions`)).toHaveLength(1);
  });

  it('imports through PATCH /admin/identities and reports per item', async () => {
    kratos.answer('PATCH /admin/identities', {
      status: 200,
      body: {
        identities: [
          { action: 'create', identity: IDENTITY_ID },
          { action: 'error', error: { code: 400, reason: 'bad email' } },
        ],
      },
    });
    const result = await setup().identities.import([
      { traits: { email: 'a@example.test' } },
      { traits: { email: 'nope' } },
    ]);
    expect(result).toEqual({
      created: 1,
      failed: 1,
      items: [
        { index: 0, status: 'created', id: IDENTITY_ID },
        { index: 1, status: 'failed', code: 'identity.invalid', reason: 'bad email' },
      ],
    });
  });

  it('after a conflict, checks which reported ids exist and re-sends the missing items', async () => {
    const route = 'PATCH /admin/identities';
    kratos
      .answer(route, {
        status: 200,
        body: {
          identities: [
            { action: 'create', identity: IDENTITY_ID },
            { action: 'error', error: { code: 409, message: 'exists' } },
          ],
        },
      })
      .answer('GET /admin/identities', { status: 200, body: [] });

    const result = await setup().identities.import([
      { traits: { email: 'a@example.test' } },
      { traits: { email: 'taken@example.test' } },
    ]);

    expect(result.items.map((item) => item.status)).toEqual(['created', 'failed']);
    expect(result.items[1]).toMatchObject({ code: 'identity.conflict' });
    expect(kratos.requestsTo(route)).toHaveLength(2);
    const checks = kratos.requestsTo('GET /admin/identities');
    expect(checks.map((check) => check.query.getAll('ids'))).toEqual([[IDENTITY_ID]]);
  });

  it('needs kratos.adminUrl, and says so', async () => {
    const { identities } = setup({ admin: false });
    await expect(identities.get(IDENTITY_ID)).rejects.toThrow(IamConfigurationError);
    await expect(identities.import([{ traits: {} }])).rejects.toThrow(
      /tenants\.default\.kratos\.adminUrl: is required for IdentityService\.import\(\)/,
    );
  });
});
