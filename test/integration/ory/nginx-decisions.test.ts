import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessRulesForApp } from '../../../src/index.js';
import { type RunningApp, startApp } from '../../support/nest-app.js';
import { type RunningNginx, startDecisionNginx } from '../../support/nginx/server.js';
import { type EchoUpstream, startEchoUpstream } from '../../support/ory/echo-upstream.js';
import { freePorts } from '../../support/ory/ports.js';
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
  // The same rules in front of an upstream that records what reaches it.
  let echo: EchoUpstream | undefined;
  let echoNginx: RunningNginx | undefined;
  const through = (path: string, init?: RequestInit) => fetch(`${nginx?.url}${path}`, init);

  beforeAll(async () => {
    const module = ordersModule(ory());
    const oathkeeperApi = ory().urls.oathkeeperApi ?? '';
    app = await startApp({ imports: [module] }, 'express');
    echo = await startEchoUpstream();
    [nginx, echoNginx] = await Promise.all([
      startDecisionNginx(oathkeeperApi, app.url),
      startDecisionNginx(oathkeeperApi, echo.url),
    ]);
    // Each nginx tells Oathkeeper its own host; the rules' origin takes both ports.
    const rules = await accessRulesForApp(module, {
      matchOrigin: 'http://127.0.0.1:<[0-9]+>',
      upstream: app.url,
    });
    await ory().setAccessRules(rules);
  });
  afterAll(async () => {
    await Promise.all([nginx?.stop(), echoNginx?.stop()]);
    await app?.close();
    await echo?.close();
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

  // auth_request passes only 401 and 403 on and turns Oathkeeper's 404 into a 500 of its own;
  // the config maps it back from the decision's status.
  it('answers 404 where no rule matches, as Oathkeeper as the proxy does, not 500', async () => {
    const hits = echo?.hits.length;
    for (const path of ['/orders/7/items', '/nowhere']) {
      const response = await through(path);
      expect(response.status, path).toBe(404);
      expect(await response.text(), path).toContain('<center>nginx');
      expect((await fetch(`${echoNginx?.url}${path}`)).status, path).toBe(404);
    }
    expect(echo?.hits.length).toBe(hits);
  });

  it('refuses a path with dot segments, which nginx would route by another path than it forwards', async () => {
    const hits = echo?.hits.length;
    // Sent as written: fetch, and a URL, would resolve the dot segments before sending.
    const { hostname, port } = new URL(echoNginx?.url ?? '');
    const statusOf = (path: string) =>
      new Promise<number | undefined>((resolve, reject) => {
        request({ hostname, port, path }, (response) => {
          response.resume();
          resolve(response.statusCode);
        })
          .on('error', reject)
          .end();
      });
    for (const path of [
      '/orders/42/../catalog',
      '/orders/42/%2e%2E/catalog',
      '/orders/42%2F..%2Fcatalog',
      '/orders/./catalog',
      '/orders/42/..?x=1',
    ]) {
      expect(await statusOf(path), path).toBe(400);
    }
    expect(await statusOf('/orders/catalog?returnTo=/a/../b')).toBe(200);
    expect(echo?.hits.length).toBe((hits ?? 0) + 1);
  });

  it('answers 503 when Oathkeeper cannot be reached, never passing the request on', async () => {
    const [closed] = await freePorts(1);
    const unreachable = await startDecisionNginx(`http://127.0.0.1:${String(closed)}`, app.url);
    try {
      for (const path of ['/orders/catalog', '/orders/7']) {
        expect((await fetch(`${unreachable.url}${path}`)).status, path).toBe(503);
      }
    } finally {
      await unreachable.stop();
    }
  });

  it("never forwards a client's own Authorization or X-User: only what Oathkeeper decided", async () => {
    const user = await newSession(ory(), []);
    const before = echo?.hits.length ?? 0;
    const forged = { 'X-User': 'admin' };
    const protectedCall = await fetch(`${echoNginx?.url}/orders/7`, {
      headers: { ...forged, Authorization: `Bearer ${user.sessionToken}` },
    });
    expect(protectedCall.status).toBe(200);
    // A public route: Oathkeeper's noop mutator echoes every request header in its decision.
    const publicCall = await fetch(`${echoNginx?.url}/orders/catalog`, { headers: forged });
    expect(publicCall.status).toBe(200);
    const [minted, open] = echo?.hits.slice(before) ?? [];
    expect(minted?.headers.authorization).toMatch(/^Bearer ey/);
    expect(minted?.headers.authorization).not.toContain(user.sessionToken);
    expect(minted?.headers['x-user']).toBeUndefined();
    expect(open?.headers.authorization).toBeUndefined();
    expect(open?.headers['x-user']).toBeUndefined();
    // Oathkeeper's anonymous authenticator refuses a public request carrying credentials.
    const withToken = await fetch(`${echoNginx?.url}/orders/catalog`, {
      headers: { Authorization: 'Bearer forged' },
    });
    expect(withToken.status).toBe(401);
    expect(echo?.hits.length).toBe(before + 2);
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
