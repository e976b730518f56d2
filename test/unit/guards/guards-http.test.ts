import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IAM_TRANSPORT_OVERRIDE } from '../../../src/config/injection-tokens.js';
import { AUDIT_SINK } from '../../../src/index.js';
import { IamTestingModule, IamTestingState } from '../../../src/testing/index.js';
import { PLATFORMS, type RunningApp, request, startApp } from '../../support/nest-app.js';
import { useAuditedTestingApp } from './audited-testing-app.js';
import {
  ClassRoleController,
  ExplicitGuardController,
  GuardedController,
  PublicClassController,
} from './fixtures.js';

const alice = { id: 'alice', roles: ['admin'] };

describe.each(PLATFORMS)('guards and decorators on %s', (platform) => {
  const app = useAuditedTestingApp(platform, { identity: alice, tenant: 'acme' }, [
    GuardedController,
    PublicClassController,
    ClassRoleController,
  ]);
  const { events } = app;

  it('attaches the verified identity and tenant', async () => {
    const response = await request(`${app.url}/guarded`);
    expect(response).toMatchObject({
      status: 200,
      body: { id: 'alice', roles: ['admin'], tenant: 'acme' },
    });
    expect(events.map((event) => event.name)).toEqual(['auth.success']);
    expect(events[0]).toMatchObject({
      tenant: 'acme',
      subject: 'alice',
      method: 'GET',
      route: '/guarded',
    });
  });

  it('picks one field with @CurrentUser(field)', async () => {
    expect((await request(`${app.url}/guarded/id`)).body).toEqual({ id: 'alice' });
  });

  it('answers 401 with a stable code and no stack when no credentials are presented', async () => {
    app.state.setIdentity(null);
    const response = await request(`${app.url}/guarded?token=secret-value`);
    expect(response.status).toBe(401);
    expect(response.body).toEqual({
      statusCode: 401,
      code: 'auth.failure.missing_credentials',
      message: expect.any(String),
    });
    expect(events).toMatchObject([{ name: 'auth.failure.missing_credentials', route: '/guarded' }]);
    expect(JSON.stringify(events)).not.toContain('secret-value');
  });

  it('lets @Public routes through without credentials and without an identity', async () => {
    app.state.setIdentity(null);
    expect(await request(`${app.url}/guarded/public`)).toMatchObject({
      status: 200,
      body: { user: null },
    });
    expect(events).toEqual([]);
  });

  it('treats @Anonymous as optional authentication: absent is fine, present is attached', async () => {
    expect((await request(`${app.url}/guarded/anonymous`)).body).toEqual({ id: 'alice' });
    app.state.setIdentity(null);
    expect((await request(`${app.url}/guarded/anonymous`)).body).toEqual({ id: null });
    expect(events.at(-1)?.name).toBe('auth.anonymous');
  });

  it('still rejects invalid credentials on @Anonymous routes', async () => {
    app.state.failWith('auth.failure.invalid_signature');
    const response = await request(`${app.url}/guarded/anonymous`);
    expect(response).toMatchObject({
      status: 401,
      body: { code: 'auth.failure.invalid_signature' },
    });
  });

  it('lets a handler @Anonymous override a class @Public', async () => {
    app.state.failWith('auth.failure.expired');
    expect((await request(`${app.url}/open-class`)).status).toBe(200);
    expect((await request(`${app.url}/open-class/anonymous`)).status).toBe(401);
  });

  it('allows any of the required roles by default', async () => {
    expect((await request(`${app.url}/guarded/admin`)).status).toBe(200);
    app.state.setRoles(['owner']);
    expect((await request(`${app.url}/guarded/admin`)).status).toBe(200);
    expect(events.at(-1)).toMatchObject({ name: 'authz.role.allow', subject: 'alice' });
  });

  it('denies with 403 authz.role.deny when no required role is held', async () => {
    app.state.setRoles(['viewer']);
    const response = await request(`${app.url}/guarded/admin`);
    expect(response).toMatchObject({
      status: 403,
      body: { statusCode: 403, code: 'authz.role.deny' },
    });
    expect(events.at(-1)).toMatchObject({
      name: 'authz.role.deny',
      code: 'authz.role.deny',
      subject: 'alice',
    });
  });

  it('requires every role with match: all', async () => {
    expect((await request(`${app.url}/guarded/both`)).status).toBe(403);
    app.state.setRoles(['admin', 'auditor']);
    expect((await request(`${app.url}/guarded/both`)).status).toBe(200);
  });

  it('lets handler roles replace class roles', async () => {
    app.state.setRoles(['auditor']);
    expect((await request(`${app.url}/class-role`)).status).toBe(200);
    expect((await request(`${app.url}/class-role/override`)).status).toBe(403);
    app.state.setRoles(['admin']);
    expect((await request(`${app.url}/class-role`)).status).toBe(403);
    expect((await request(`${app.url}/class-role/override`)).status).toBe(200);
  });

  it('authenticates a @Public route that also requires a role', async () => {
    app.state.setIdentity(null);
    expect((await request(`${app.url}/guarded/public-with-role`)).status).toBe(401);
    app.state.setIdentity(alice);
    expect((await request(`${app.url}/guarded/public-with-role`)).status).toBe(200);
  });

  it('answers 503 with Retry-After when an identity service is down', async () => {
    app.state.failWith('auth.upstream_unavailable');
    const response = await request(`${app.url}/guarded`);
    expect(response).toMatchObject({ status: 503, body: { code: 'auth.upstream_unavailable' } });
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe.each(PLATFORMS)('failures the library did not expect on %s', (platform) => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp(
      { imports: [IamTestingModule.forRoot()], controllers: [GuardedController] },
      platform,
      (builder) =>
        builder.overrideProvider(IAM_TRANSPORT_OVERRIDE).useValue({
          authenticate: () => Promise.reject(new TypeError('bug in a transport')),
        }),
    );
  });
  afterAll(() => running.close());

  it('become 503, never 500 and never an allow', async () => {
    const response = await request(`${running.url}/guarded`);
    expect(response).toMatchObject({ status: 503, body: { code: 'auth.upstream_unavailable' } });
    expect(JSON.stringify(response.body)).not.toContain('bug in a transport');
  });
});

describe.each(PLATFORMS)('a throwing audit sink on %s', (platform) => {
  let running: RunningApp;

  beforeAll(async () => {
    const throwingSink = {
      emit: () => {
        throw new Error('sink down');
      },
    };
    const rejectingSink = { emit: () => Promise.reject(new Error('sink down')) };
    running = await startApp(
      {
        imports: [IamTestingModule.forRoot({ identity: alice })],
        controllers: [GuardedController],
        providers: [
          { provide: AUDIT_SINK, useValue: platform === 'express' ? throwingSink : rejectingSink },
        ],
      },
      platform,
    );
  });
  afterAll(() => running.close());

  it('never changes the decision', async () => {
    expect((await request(`${running.url}/guarded`)).status).toBe(200);
    expect((await request(`${running.url}/guarded/both`)).status).toBe(403);
  });
});

describe.each(PLATFORMS)('global: false on %s', (platform) => {
  let running: RunningApp;
  let state: IamTestingState;

  beforeAll(async () => {
    running = await startApp(
      {
        imports: [IamTestingModule.forRoot({ global: false })],
        controllers: [ExplicitGuardController],
      },
      platform,
    );
    state = running.app.get(IamTestingState);
  });
  afterAll(() => running.close());

  it('leaves undecorated routes open', async () => {
    expect((await request(`${running.url}/explicit/open`)).status).toBe(200);
  });

  it('enforces @UseGuards(SessionGuard)', async () => {
    expect((await request(`${running.url}/explicit/guarded`)).status).toBe(401);
    state.setIdentity({ id: 'bob' });
    expect((await request(`${running.url}/explicit/guarded`)).body).toEqual({ id: 'bob' });
  });

  it('still authenticates routes that require a role', async () => {
    state.setIdentity(null);
    expect((await request(`${running.url}/explicit/role`)).status).toBe(401);
    state.setIdentity({ id: 'bob', roles: ['admin'] });
    expect((await request(`${running.url}/explicit/role`)).status).toBe(200);
  });
});
