import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IamUpstreamUnavailableError, type PermissionTuple } from '../../../src/index.js';
import { PERMISSION_CHECKER } from '../../../src/permissions/permission-checker.js';
import { IamTestingModule } from '../../../src/testing/index.js';
import { PLATFORMS, type RunningApp, request, startApp } from '../../support/nest-app.js';
import { useAuditedTestingApp } from './audited-testing-app.js';
import { StackedController, WalkthroughOrdersController } from './permission-fixtures.js';

const allow =
  (...granted: string[]) =>
  (tuple: PermissionTuple) =>
    granted.includes(`${tuple.namespace}:${tuple.object}#${tuple.relation}`);

describe.each(PLATFORMS)('@RequirePermission on %s', (platform) => {
  const app = useAuditedTestingApp(platform, { identity: { id: 'alice' }, tenant: 'acme' }, [
    WalkthroughOrdersController,
    StackedController,
  ]);
  const { events } = app;

  it('checks the walkthrough resolver with the verified identity as subject', async () => {
    app.state.setPermissions(allow('orders:orders:o-1#view'));
    expect(await request(`${app.url}/orders/o-1`)).toMatchObject({
      status: 200,
      body: { owner: 'alice' },
    });
    expect(app.state.checkedPermissions).toEqual([
      { namespace: 'orders', object: 'orders:o-1', relation: 'view', subject: 'alice' },
    ]);
    expect(await request(`${app.url}/orders/o-2`)).toMatchObject({
      status: 403,
      body: { statusCode: 403, code: 'authz.permission.deny' },
    });
  });

  it('denies by default in the testing module', async () => {
    expect((await request(`${app.url}/orders/o-1`)).status).toBe(403);
  });

  it('ignores subject headers the client sends', async () => {
    app.state.setPermissions((tuple) => tuple.subject === 'admin');
    const response = await request(`${app.url}/orders/o-1`, {
      headers: { 'x-user': 'admin', 'x-subject': 'admin', 'x-subject-id': 'admin' },
    });
    expect(response.status).toBe(403);
    expect(app.state.checkedPermissions.map((tuple) => tuple.subject)).toEqual(['alice']);
  });

  it('enforces every stacked decorator and the class decorator (AND)', async () => {
    const all = ['tenants:acme#member', 'docs:docs:d#view', 'docs:docs:d#audit'];
    app.state.setPermissions(allow(...all));
    expect((await request(`${app.url}/docs/d`)).status).toBe(200);
    expect(app.state.checkedPermissions).toHaveLength(3);
    for (const missing of all) {
      app.state.setPermissions(allow(...all.filter((entry) => entry !== missing)));
      expect((await request(`${app.url}/docs/d`)).status, `without ${missing}`).toBe(403);
    }
  });

  it('emits one allow or deny event per check', async () => {
    app.state.setPermissions(allow('tenants:acme#member', 'docs:docs:d#view'));
    await request(`${app.url}/docs/d`);
    const checks = events.filter((event) => event.name.startsWith('authz.permission.'));
    expect(checks.map((event) => [event.name, event.detail?.check]).sort()).toEqual([
      ['authz.permission.allow', 'docs:docs:d#view@alice'],
      ['authz.permission.allow', 'tenants:acme#member@alice'],
      ['authz.permission.deny', 'docs:docs:d#audit@alice'],
    ]);
    expect(checks.find((event) => event.name === 'authz.permission.deny')).toMatchObject({
      code: 'authz.permission.deny',
      subject: 'alice',
      tenant: 'acme',
    });
  });

  it('accepts one of an anyOf group', async () => {
    app.state.setPermissions(allow('tenants:acme#member', 'docs:docs:d#own'));
    expect((await request(`${app.url}/docs/d`, { method: 'POST' })).status).toBe(201);
    app.state.setPermissions(allow('tenants:acme#member'));
    expect((await request(`${app.url}/docs/d`, { method: 'POST' })).status).toBe(403);
  });

  it('answers 403 authz.permission.unresolved when a resolver throws or yields nothing', async () => {
    app.state.setPermissions(true);
    for (const path of ['broken', 'empty']) {
      const response = await request(`${app.url}/docs/d/${path}`);
      expect(response).toMatchObject({
        status: 403,
        body: { code: 'authz.permission.unresolved' },
      });
      expect(JSON.stringify(response.body)).not.toContain('resolver bug');
    }
  });

  it('checks a subject set when the subject resolver returns one', async () => {
    app.state.setPermissions(true);
    expect((await request(`${app.url}/docs/d/group`)).status).toBe(200);
    expect(app.state.checkedPermissions.at(-1)?.subject).toEqual({
      namespace: 'groups',
      object: 'acme',
      relation: 'member',
    });
  });

  it('answers 401 before any check when there is no identity', async () => {
    app.state.setIdentity(null).setPermissions(true);
    expect((await request(`${app.url}/orders/o-1`)).status).toBe(401);
    expect(app.state.checkedPermissions).toEqual([]);
  });
});

describe.each(PLATFORMS)('a permission checker that cannot answer on %s', (platform) => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp(
      {
        imports: [IamTestingModule.forRoot({ identity: { id: 'alice' } })],
        controllers: [WalkthroughOrdersController],
      },
      platform,
      (builder) =>
        builder.overrideProvider(PERMISSION_CHECKER).useValue({
          checkMany: () =>
            Promise.reject(new IamUpstreamUnavailableError('Keto check is unavailable.')),
        }),
    );
  });
  afterAll(() => running.close());

  it('answers 503 with Retry-After, never an allow', async () => {
    const response = await request(`${running.url}/orders/o-1`);
    expect(response).toMatchObject({ status: 503, body: { code: 'auth.upstream_unavailable' } });
    expect(response.headers.get('retry-after')).not.toBeNull();
  });
});
