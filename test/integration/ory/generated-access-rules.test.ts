import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessRulesForApp,
  checkAccessRulesForApp,
  type OathkeeperAccessRule,
} from '../../../src/index.js';
import { type RunningApp, startApp } from '../../support/nest-app.js';
import { useOryStack } from '../../support/ory/vitest.js';
import { newSession, ordersModule, ShopController } from '../../support/rules-app.js';

/**
 * The rules generated from the app, loaded into the real Oathkeeper (regexp strategy, its
 * default), route each request as the app's decorators say: the literal `catalog` is public,
 * every other value of `:id` needs a session, and the minted id_token passes the app's checks.
 */
describe('generated access rules in the real Oathkeeper', () => {
  const ory = useOryStack({
    keto: false,
    oathkeeper: { routes: {}, matchingStrategy: 'regexp', audience: ['unused'] },
  });
  let app: RunningApp;
  let rules: OathkeeperAccessRule[];
  const proxy = (path: string, init?: RequestInit) =>
    fetch(`${ory().urls.oathkeeperProxy}${path}`, init);

  beforeAll(async () => {
    const module = ordersModule(ory());
    app = await startApp({ imports: [module] }, 'express');
    rules = await accessRulesForApp(module, {
      matchOrigin: ory().urls.oathkeeperProxy ?? '',
      upstream: app.url,
    });
    await ory().setAccessRules(rules);
  });
  afterAll(async () => {
    await app?.close();
  });

  const session = (roles: readonly string[]) => newSession(ory(), roles);

  it('agrees with its own check', async () => {
    const module = ordersModule(ory());
    const options = { matchOrigin: ory().urls.oathkeeperProxy ?? '', upstream: app.url };
    expect(await checkAccessRulesForApp(module, rules, options)).toEqual([]);
  });

  it('lets the public route through without a session', async () => {
    const response = await proxy('/orders/catalog');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ catalog: true });
  });

  it('refuses the protected routes without credentials at the gateway', async () => {
    for (const path of ['/orders/42', '/orders/catalogs', '/orders/catalo']) {
      const response = await proxy(path);
      expect(response.status, path).toBe(401);
      // Oathkeeper's error shape, not the app's: the request never reached Nest.
      expect(((await response.json()) as { error?: { code?: number } }).error?.code).toBe(401);
    }
    expect((await proxy('/orders', { method: 'POST' })).status).toBe(401);
  });

  it('mints a fresh id_token per request that the app accepts, replay protection on', async () => {
    const user = await session([]);
    const headers = { Authorization: `Bearer ${user.sessionToken}` };
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const response = await proxy('/orders/42', { headers });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ id: '42', user: user.identityId, tenant: 'default' });
    }
  });

  it('leaves roles to the app: 403 without the role, 201 with it', async () => {
    const clerk = await session(['clerk']);
    const other = await session([]);
    const post = (token: string) =>
      proxy('/orders', { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    expect((await post(other.sessionToken)).status).toBe(403);
    const created = await post(clerk.sessionToken);
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ created: true, by: clerk.identityId });
  });

  it('matches nothing the app does not serve', async () => {
    expect((await proxy('/orders/42/items')).status).toBe(404);
    expect((await proxy('/orders/42', { method: 'DELETE' })).status).toBe(404);
  });
});

describe('generated glob access rules in the real Oathkeeper', () => {
  const ory = useOryStack({
    keto: false,
    oathkeeper: { routes: {}, matchingStrategy: 'glob', audience: ['unused'] },
  });
  let app: RunningApp;
  const proxy = (path: string, init?: RequestInit) =>
    fetch(`${ory().urls.oathkeeperProxy}${path}`, init);

  beforeAll(async () => {
    const module = ordersModule(ory(), ShopController);
    app = await startApp({ imports: [module] }, 'express');
    const rules = await accessRulesForApp(module, {
      matchOrigin: ory().urls.oathkeeperProxy ?? '',
      upstream: app.url,
      matching: 'glob',
    });
    await ory().setAccessRules(rules);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('routes each request by its route, as the decorators say', async () => {
    expect((await proxy('/shop/items')).status).toBe(200);
    expect((await proxy('/shop/items/42')).status).toBe(401);
    expect((await proxy('/shop/items/42/reviews')).status).toBe(404);
    const user = await newSession(ory(), []);
    const mine = await proxy('/shop/items/42', {
      headers: { Authorization: `Bearer ${user.sessionToken}` },
    });
    expect(mine.status).toBe(200);
    expect(await mine.json()).toEqual({ id: '42', user: user.identityId });
  });
});
