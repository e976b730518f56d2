import type { DynamicModule } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { IamModule } from '../../../src/index.js';
import { IamTestingModule, IamTestingState } from '../../../src/testing/index.js';
import { PLATFORMS, type RunningApp, request, startApp } from '../../support/nest-app.js';
import { forRootApp, forRootAsyncApp, OrdersController, REAL_OPTIONS } from './app-fixture.js';

const APPS: ReadonlyArray<readonly [string, () => DynamicModule]> = [
  ['forRoot', forRootApp],
  ['forRootAsync', forRootAsyncApp],
];

describe.each(PLATFORMS)('overriding IamModule in a whole app on %s', (platform) => {
  let running: RunningApp | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it.each(APPS)('keeps the real guard without the override (%s)', async (_form, app) => {
    running = await startApp({ imports: [app()] }, platform);
    expect((await request(`${running.url}/orders/me`)).status).toBe(401);
  });

  it.each(APPS)('puts the testing identity and answers in place (%s)', async (_form, app) => {
    running = await startApp({ imports: [app()] }, platform, (builder) =>
      builder
        .overrideModule(IamModule)
        .useModule(IamTestingModule.forRoot({ identity: { id: 'alice' } })),
    );
    const state = running.app.get(IamTestingState);

    expect(await request(`${running.url}/orders/me`)).toMatchObject({
      status: 200,
      body: { id: 'alice', roles: [], via: 'testing' },
    });
    expect(await request(`${running.url}/orders/admin`)).toMatchObject({
      status: 403,
      body: { code: 'authz.role.deny' },
    });
    state.setRoles(['admin']);
    expect((await request(`${running.url}/orders/admin`)).status).toBe(200);

    expect(await request(`${running.url}/orders/order-1`)).toMatchObject({
      status: 403,
      body: { code: 'authz.permission.deny' },
    });
    state.setPermissions((tuple) => tuple.object === 'order-1');
    expect((await request(`${running.url}/orders/order-1`)).status).toBe(200);
    expect(state.checkedPermissions.at(-1)).toEqual({
      namespace: 'orders',
      object: 'order-1',
      relation: 'view',
      subject: 'alice',
    });
  });

  it.each(APPS)('replaces the services the app injects (%s)', async (_form, app) => {
    running = await startApp({ imports: [app()] }, platform, (builder) =>
      builder
        .overrideModule(IamModule)
        .useModule(IamTestingModule.forRoot({ identity: { id: 'alice' } })),
    );
    // The real services would ask Kratos and Keto, which are not there (503, or 500 for a grant
    // without keto.writeUrl).
    expect(await request(`${running.url}/orders/session`)).toMatchObject({
      status: 200,
      body: { identity: 'alice', active: true },
    });
    expect((await request(`${running.url}/orders/order-2`)).status).toBe(403);
    expect(
      (await request(`${running.url}/orders/order-2/share/alice`, { method: 'POST' })).status,
    ).toBe(201);
    expect((await request(`${running.url}/orders/order-2`)).status).toBe(200);
  });
});

describe('IamTestingModule next to a real IamModule', () => {
  it('refuses to boot when the app imports both, instead of keeping the real guard', async () => {
    const builder = Test.createTestingModule({
      imports: [forRootApp(), IamTestingModule.forRoot({ identity: { id: 'alice' } })],
    });
    await expect(builder.compile()).rejects.toThrow(/overrideModule\(IamModule\)/);
  });

  it('overrides isGlobal: false through the object forRoot returned', async () => {
    const iam = IamModule.forRoot({ ...REAL_OPTIONS, isGlobal: false });
    const running = await startApp(
      { imports: [iam], controllers: [OrdersController] },
      'express',
      (builder) =>
        builder
          .overrideModule(iam)
          .useModule(IamTestingModule.forRoot({ identity: { id: 'alice' } })),
    );
    try {
      expect(await request(`${running.url}/orders/me`)).toMatchObject({
        status: 200,
        body: { id: 'alice' },
      });
    } finally {
      await running.close();
    }
  });
});
