import {
  ConflictException,
  Controller,
  HttpException,
  Inject,
  NotFoundException,
} from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  FlowService,
  IamBadRequestError,
  IamConfigurationError,
  IamHealthCheckError,
  IamHealthIndicator,
  IamUnauthorizedError,
  IamUpstreamUnavailableError,
  IdentityService,
  PermissionService,
  SessionService,
  type TenantFlows,
  type TenantIdentities,
  type TenantPermissions,
  type TenantSessions,
} from '../../../src/index.js';
import { IamTestingModule, IamTestingState } from '../../../src/testing/index.js';

/** A user's controller injecting every public service: it must build without any Ory server. */
@Controller()
class AccountController {
  constructor(
    @Inject(FlowService) readonly flows: FlowService,
    @Inject(SessionService) readonly sessions: SessionService,
    @Inject(IdentityService) readonly identities: IdentityService,
    @Inject(PermissionService) readonly permissions: PermissionService,
    @Inject(IamHealthIndicator) readonly health: IamHealthIndicator,
  ) {}
}

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

/** The HTTP status and stable code of what a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<{ status: number; code: unknown }> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof HttpException)) throw new Error(`expected an HttpException, got ${error}`);
  const body = error.getResponse() as { code?: unknown };
  return { status: error.getStatus(), code: body.code };
}

describe('IamTestingModule stand-ins', () => {
  let moduleRef: TestingModule;
  let state: IamTestingState;
  let controller: AccountController;
  let identities: TenantIdentities;
  let sessions: TenantSessions;
  let flows: TenantFlows;
  let permissions: TenantPermissions;

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [IamTestingModule.forRoot({ identity: { id: 'alice' } })],
      controllers: [AccountController],
    }).compile();
    state = moduleRef.get(IamTestingState);
    controller = moduleRef.get(AccountController);
    identities = controller.identities.forTenant('default');
    sessions = controller.sessions.forTenant('default');
    flows = controller.flows.forTenant('default');
    permissions = controller.permissions.forTenant('default');
  });
  afterAll(() => moduleRef.close());
  beforeEach(() => state.reset());

  const bob = {
    traits: { email: 'bob@example.com' },
    metadataPublic: { roles: ['editor'] },
    credentials: { password: { password: 'correct horse' } },
  };

  it('refuses a tenant the module does not have, like the real services', () => {
    expect(() => controller.sessions.forTenant('other')).toThrow(IamConfigurationError);
    expect(() => controller.permissions.forTenant('other')).toThrow(IamConfigurationError);
  });

  describe('IdentityService', () => {
    it('creates, reads, lists and deletes identities, roles read from metadataPublic', async () => {
      const created = await identities.create(bob);
      expect(created).toMatchObject({
        tenant: 'default',
        state: 'active',
        roles: ['editor'],
        traits: { email: 'bob@example.com' },
      });
      expect(await identities.get(created.id)).toEqual(created);
      expect((await identities.list()).identities.map((record) => record.id)).toEqual([created.id]);
      await identities.delete(created.id);
      expect(await failure(identities.get(created.id))).toEqual({
        status: 404,
        code: 'identity.not_found',
      });
    });

    it('answers the real errors for an unknown id, an id that is no UUID, a duplicate', async () => {
      await expect(identities.get(UNKNOWN_ID)).rejects.toBeInstanceOf(NotFoundException);
      await expect(identities.get('alice')).rejects.toBeInstanceOf(IamBadRequestError);
      expect(await failure(identities.get('alice'))).toEqual({
        status: 400,
        code: 'request.invalid_id',
      });
      await identities.create(bob);
      await expect(identities.create(bob)).rejects.toBeInstanceOf(ConflictException);
    });

    it('patches like Kratos and refuses a patch it cannot apply', async () => {
      const { id } = await identities.create(bob);
      const patched = await identities.patch(id, [
        { op: 'add', path: '/metadataPublic/roles/-', value: 'admin' },
        { op: 'replace', path: '/traits/email', value: 'robert@example.com' },
      ]);
      expect(patched).toMatchObject({
        roles: ['editor', 'admin'],
        traits: { email: 'robert@example.com' },
      });
      expect(
        await failure(identities.patch(id, [{ op: 'remove', path: '/traits/nickname' }])),
      ).toEqual({ status: 400, code: 'identity.invalid_request' });
    });

    it('pages by id and imports item by item', async () => {
      const result = await identities.import([
        { traits: { email: 'a@example.com' } },
        { traits: { email: 'a@example.com' } },
        { traits: { email: 'b@example.com' } },
      ]);
      expect(result).toMatchObject({ created: 2, failed: 1 });
      expect(result.items[1]).toMatchObject({ status: 'failed', code: 'identity.conflict' });
      const first = await identities.list({ pageSize: 1 });
      expect(first.nextPageToken).toBeDefined();
      const second = await identities.list({ pageSize: 1, pageToken: first.nextPageToken });
      expect(second.nextPageToken).toBeUndefined();
      expect(new Set([...first.identities, ...second.identities].map((r) => r.id)).size).toBe(2);
    });

    it('forgets every identity on reset', async () => {
      const { id } = await identities.create(bob);
      state.reset();
      await expect(identities.get(id)).rejects.toBeInstanceOf(NotFoundException);
    });
  });

  describe('FlowService and SessionService', () => {
    it('logs in with the password an identity was created with, and rejects a wrong one', async () => {
      const { id } = await identities.create(bob);
      const wrong = await flows.submitLogin((await flows.initiateLogin()).id, {
        identifier: 'bob@example.com',
        password: 'wrong',
      });
      expect(wrong).toMatchObject({ status: 'invalid', messages: [{ id: 4000006 }] });

      const login = await flows.submitLogin((await flows.initiateLogin()).id, {
        identifier: 'bob@example.com',
        password: 'correct horse',
      });
      if (login.status !== 'success') throw new Error(`login: ${login.status}`);
      expect(login.identity.id).toBe(id);
      const token = login.sessionToken ?? '';
      expect(await sessions.whoami({ token })).toMatchObject({ identity: { id }, active: true });
      expect((await sessions.list(id)).sessions.map((session) => session.id)).toEqual([
        login.session?.id,
      ]);

      await flows.logout({ sessionToken: token });
      expect(await failure(sessions.whoami({ token }))).toEqual({
        status: 401,
        code: 'auth.failure.session_inactive',
      });
      expect(await failure(flows.initiateSettings({ sessionToken: token }))).toEqual({
        status: 401,
        code: 'auth.failure.session_inactive',
      });
    });

    it('registers a new identity with a session, and refuses the same email twice', async () => {
      const body = { traits: { email: 'carol@example.com' }, password: 's3cret-pass' };
      const registered = await flows.submitRegistration(
        (await flows.initiateRegistration()).id,
        body,
      );
      expect(registered).toMatchObject({ status: 'success', sessionToken: expect.any(String) });
      const again = await flows.submitRegistration((await flows.initiateRegistration()).id, body);
      expect(again).toMatchObject({ status: 'invalid', messages: [{ id: 4000007 }] });
      expect(
        (await identities.list({ credentialsIdentifier: 'carol@example.com' })).identities,
      ).toHaveLength(1);
    });

    it('answers the real errors for flow ids and bodies', async () => {
      expect(await failure(flows.submitLogin(UNKNOWN_ID, {}))).toEqual({
        status: 404,
        code: 'flow.not_found',
      });
      expect(await failure(flows.submitLogin('../sessions', {}))).toEqual({
        status: 400,
        code: 'request.invalid_id',
      });
      const recovery = await flows.initiateRecovery();
      expect(await failure(flows.submitLogin(recovery.id, {}))).toEqual({
        status: 404,
        code: 'flow.not_found',
      });
      expect(await failure(flows.submitRecovery(recovery.id, 'email=x'))).toEqual({
        status: 400,
        code: 'flow.invalid_body',
      });
      expect(await flows.submitRecovery(recovery.id, { email: 'bob@example.com' })).toMatchObject({
        status: 'success',
        flow: { state: 'sent_email' },
      });
    });

    it("answers whoami with the session of the guards' identity until it is revoked", async () => {
      const request = { headers: {} };
      const session = await sessions.whoami(request);
      expect(session).toMatchObject({ active: true, identity: { id: 'alice' } });
      state.setRoles(['auditor']);
      expect(await sessions.whoami(request)).toMatchObject({
        id: session.id,
        identity: { roles: ['auditor'] },
      });
      await sessions.revoke(session.id);
      await expect(sessions.whoami(request)).rejects.toBeInstanceOf(IamUnauthorizedError);

      state.setIdentity(null);
      expect(await failure(sessions.whoami(request))).toEqual({
        status: 401,
        code: 'auth.failure.missing_credentials',
      });
      state.failWith('auth.upstream_unavailable');
      await expect(sessions.whoami(request)).rejects.toBeInstanceOf(IamUpstreamUnavailableError);
    });

    it('answers 404 for sessions and identities it does not know', async () => {
      expect(await failure(sessions.revoke(UNKNOWN_ID))).toEqual({
        status: 404,
        code: 'session.not_found',
      });
      expect(await failure(sessions.list(UNKNOWN_ID))).toEqual({
        status: 404,
        code: 'identity.not_found',
      });
    });
  });

  describe('PermissionService', () => {
    const tuple = { namespace: 'orders', object: 'order-1', relation: 'view', subject: 'bob' };

    it('answers like @RequirePermission, and a grant counts until it is revoked', async () => {
      expect(await permissions.check(tuple)).toBe(false);
      await permissions.grant(tuple);
      await permissions.grant(tuple);
      expect(state.grantedPermissions).toEqual([tuple]);
      expect(await state.checkMany('default', [tuple])).toEqual([true]);
      expect(await permissions.list({ namespace: 'orders', subject: 'bob' })).toEqual({
        tuples: [tuple],
        nextPageToken: undefined,
      });
      expect(
        await permissions.expand({ namespace: 'orders', object: 'order-1', relation: 'view' }),
      ).toMatchObject({ type: 'union', children: [{ type: 'leaf', tuple }] });
      await permissions.revoke(tuple);
      expect(await permissions.check(tuple)).toBe(false);
      expect(state.checkedPermissions).toHaveLength(3);

      state.setPermissions(true);
      expect(await permissions.check(tuple)).toBe(true);
    });

    it('refuses an incomplete tuple with the real TypeError', async () => {
      await expect(permissions.grant({ ...tuple, object: '' })).rejects.toBeInstanceOf(TypeError);
    });
  });

  describe('IamHealthIndicator', () => {
    it('reports every dependency up until the test says otherwise', async () => {
      expect(await controller.health.isHealthy('iam')).toEqual({
        iam: {
          status: 'up',
          tenants: {
            default: { kratos: { status: 'up' }, keto: { status: 'up' }, jwks: { status: 'up' } },
          },
        },
      });
      state.setHealth({ keto: { status: 'down', message: 'unreachable' } });
      const error = await controller.health.isHealthy('iam').catch((reason: unknown) => reason);
      expect(error).toBeInstanceOf(IamHealthCheckError);
      expect((error as IamHealthCheckError).causes.iam?.status).toBe('down');
      await expect(controller.health.isHealthy('iam', { tenants: ['other'] })).rejects.toThrow(
        IamConfigurationError,
      );
    });
  });
});
