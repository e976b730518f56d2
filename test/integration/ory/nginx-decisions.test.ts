import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessRulesForApp } from '../../../src/index.js';
import { type RunningApp, startApp } from '../../support/nest-app.js';
import { type RunningNginx, startDecisionNginx } from '../../support/nginx/server.js';
import { useOryStack } from '../../support/ory/vitest.js';
import { newSession, ordersModule } from '../../support/rules-app.js';

/**
 * The decision-API deployment: real nginx (Debian's, scripts/nginx/install) asks Oathkeeper's
 * /decisions with auth_request, using the rules generated from the app with nginx's own origin,
 * and forwards the minted Authorization header to the app.
 */
describe('nginx asking the real Oathkeeper for decisions with the generated rules', () => {
  const ory = useOryStack({
    keto: false,
    oathkeeper: { routes: {}, matchingStrategy: 'regexp', audience: ['unused'] },
  });
  let app: RunningApp;
  let nginx: RunningNginx | undefined;
  const through = (path: string, init?: RequestInit) => fetch(`${nginx?.url}${path}`, init);

  beforeAll(async () => {
    const module = ordersModule(ory());
    app = await startApp({ imports: [module] }, 'express');
    nginx = await startDecisionNginx(ory().urls.oathkeeperApi ?? '', app.url);
    const rules = await accessRulesForApp(module, { matchOrigin: nginx.url, upstream: app.url });
    await ory().setAccessRules(rules);
  });
  afterAll(async () => {
    await nginx?.stop();
    await app?.close();
  });

  it('passes the public route without a session and refuses protected ones with 401', async () => {
    const open = await through('/orders/catalog');
    expect(open.status).toBe(200);
    expect(await open.json()).toEqual({ catalog: true });
    for (const path of ['/orders/42', '/orders/catalogs']) {
      const refused = await through(path);
      expect(refused.status, path).toBe(401);
      // nginx's own page, not the app's JSON: the request never reached the app.
      expect(await refused.text(), path).toContain('<center>nginx');
    }
  });

  it('answers 500 where no rule matches: auth_request takes any other status as a failure', async () => {
    expect((await through('/orders/7/items')).status).toBe(500);
  });

  it('forwards a fresh id_token per request, which the app accepts with replay protection on', async () => {
    const user = await newSession(ory(), []);
    const headers = { Authorization: `Bearer ${user.sessionToken}` };
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const response = await through('/orders/7', { headers });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ id: '7', user: user.identityId, tenant: 'default' });
    }
  });

  it('leaves roles to the app: 403 without the role, 201 with it', async () => {
    const clerk = await newSession(ory(), ['clerk']);
    const other = await newSession(ory(), []);
    const post = (token: string) =>
      through('/orders', { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    expect((await post(other.sessionToken)).status).toBe(403);
    expect((await post(clerk.sessionToken)).status).toBe(201);
  });
});
