/**
 * The cookie transport's CSRF check, proven with a real browser (Debian's chromium, installed by
 * scripts/browser/install, driven by playwright-core) against the real Kratos.
 *
 * - The app is `http://127.0.0.1:<app>`: a page with a same-origin form, Kratos' login UI page,
 *   a protected `GET /me` and an unsafe `POST /transfer` that counts its calls.
 * - Login is Kratos' own browser flow through Oathkeeper: Kratos sends the browser to the login
 *   page behind Oathkeeper's proxy (an anonymous rule), which renders the flow's form; the form
 *   POSTs to Kratos, which sets `ory_kratos_session` (for the host, so every port sees it) and
 *   redirects back through the proxy.
 * - The same page, form and routes also sit behind Oathkeeper (`cookie_session` authenticator,
 *   `id_token` mutator) in front of a second app with the `oathkeeper` transport and
 *   `oathkeeper.csrf` on: Oathkeeper turns the cookie of a forged POST into a valid JWT, and the
 *   library refuses it by the `Origin`/`Sec-Fetch-Site` Oathkeeper forwards.
 * - The attacker is another loopback server. Visited as `http://localhost:<evil>` it is another
 *   site (`Sec-Fetch-Site: cross-site`); as `http://127.0.0.1:<evil>` another origin of the same
 *   site (`same-site`, like a sibling subdomain). Its page auto-submits a form to `/transfer`.
 * - Kratos runs without `--dev` and with `session.cookie.same_site: None`, so its session cookie is
 *   `Secure; SameSite=None` (browsers accept Secure cookies from http://127.0.0.1): the browser
 *   attaches it to the cross-site POST, and only the library's check stands in the way. With the
 *   default `Lax` the browser would drop the cookie cross-site and the test would prove nothing.
 *   The app logs which cookies every request carried, and the test asserts the forged requests
 *   carried the session cookie. A second app with `csrf.enabled: false` is the control: the same
 *   forged POST goes through there.
 * - The tests run in order and share one browser page: the first one logs in.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts } from '../../support/ory/ports.js';
import { useOryStack } from '../../support/ory/vitest.js';
import { createIdentity, kratosUrls, PASSWORD, type TestUser } from '../kratos/support.js';
import {
  type Bank,
  cookieTenant,
  gatewayTenant,
  type LoggedRequest,
  listen,
  startBank,
} from './bank.js';

const chromiumPath = process.env.NESTJS_ORY_IAM_CHROMIUM || '/usr/bin/chromium';

// Oathkeeper's rules name the gateway app, so its port is chosen before either starts.
const [appPort = 0, gatewayPort = 0] = await freePorts(2);
const gatewayUpstream = `http://127.0.0.1:${gatewayPort}`;
// Filled in by the Ory harness once it has chosen its ports.
const PROXY = 'http://127.0.0.1:$' + '{OATHKEEPER_PROXY_PORT}';

describe('CSRF in a real browser: cookie transport, real Kratos, Chromium', () => {
  const ory = useOryStack(() => ({
    keto: false,
    kratosOptions: {
      dev: false,
      env: {
        SESSION_COOKIE_SAME_SITE: 'None',
        SELFSERVICE_FLOWS_LOGIN_UI_URL: `${PROXY}/login`,
        SELFSERVICE_DEFAULT_BROWSER_RETURN_URL: `${PROXY}/home`,
      },
    },
    oathkeeper: {
      routes: {
        '/login': { upstream: gatewayUpstream, access: 'anonymous' },
        '/home': { upstream: gatewayUpstream, access: 'anonymous' },
        '/me': gatewayUpstream,
        '/transfer': gatewayUpstream,
      },
    },
  }));

  let bank: Bank;
  /** The same app with `kratos.csrf.enabled: false`: the control showing the attack is real. */
  let unprotected: Bank;
  /** The `oathkeeper`-transport app as the browser sees it: its origin is Oathkeeper's proxy. */
  let gateway: Bank;
  let evil: Server;
  let evilPort = 0;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let user: TestUser;

  beforeAll(async () => {
    const { adminUrl, publicUrl } = kratosUrls(ory());
    user = await createIdentity(adminUrl);
    bank = await startBank(publicUrl, appPort, cookieTenant(publicUrl, true));
    unprotected = await startBank(publicUrl, 0, cookieTenant(publicUrl, false));
    const proxy = ory().urls.oathkeeperProxy;
    if (proxy === undefined) throw new Error('no Oathkeeper proxy');
    gateway = { ...(await startBank(publicUrl, gatewayPort, gatewayTenant(ory()))), origin: proxy };

    // The attacker: a page that makes the browser POST a form to the app as soon as it loads.
    // `?target=` is the app to attack (an origin the test chose, never echoed unchecked).
    evil = createServer((request, response) => {
      const target = new URL(request.url ?? '/', 'http://evil').searchParams.get('target');
      if (![bank.origin, unprotected.origin, gateway.origin].includes(target ?? '')) {
        response.statusCode = 404;
        response.end();
        return;
      }
      response.setHeader('Content-Type', 'text/html; charset=utf-8');
      response.end(`<!doctype html><title>win a prize</title>
<form method="POST" action="${target}/transfer">
  <input name="amount" value="1000000"><input name="to" value="attacker">
</form>
<script>document.forms[0].submit();</script>`);
    });
    evilPort = await listen(evil);

    if (!existsSync(chromiumPath)) {
      throw new Error(`no browser at ${chromiumPath}: run scripts/browser/install (npm test does)`);
    }
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--headless=new'],
    });
    context = await browser.newContext();
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await bank?.app.close();
    await unprotected?.app.close();
    await gateway?.app.close();
    await new Promise<void>((resolve) => (evil ? evil.close(() => resolve()) : resolve()));
  });

  const lastRequest = (target: Bank, method: string, path: string): LoggedRequest => {
    const found = target.requests.findLast(
      (entry) => entry.method === method && entry.path === path,
    );
    if (found === undefined) throw new Error(`${target.origin} saw no ${method} ${path}`);
    return found;
  };

  /** Runs `act` and returns the answer the browser got to its POST to `target`'s `/transfer`. */
  const transferAnswer = async (target: Bank, act: () => Promise<unknown>) => {
    const answer = page.waitForResponse(
      (response) =>
        response.url() === `${target.origin}/transfer` && response.request().method() === 'POST',
    );
    await act();
    const response = await answer;
    return { status: response.status(), body: (await response.json()) as unknown };
  };

  /** The attacker's page, on another site (`localhost`) or the same site (`127.0.0.1`). */
  const attackerPage = (host: string, target: Bank) =>
    `http://${host}:${evilPort}/?target=${encodeURIComponent(target.origin)}`;

  it('logs in through the Kratos browser flow via Oathkeeper and reads protected pages with the cookie', async () => {
    const { publicUrl } = kratosUrls(ory());
    await page.goto(`${publicUrl}/self-service/login/browser`);
    await page.waitForURL(`${gateway.origin}/login?flow=*`);
    await page.fill('input[name="identifier"]', user.email);
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([page.waitForURL(`${gateway.origin}/home`), page.click('#login')]);

    // Through Oathkeeper: its cookie_session authenticator, then an id_token for the gateway app.
    const viaGateway = await page.goto(`${gateway.origin}/me`);
    expect(viaGateway?.status()).toBe(200);
    expect(await viaGateway?.json()).toEqual({ id: user.id, via: 'oathkeeper-jwt' });

    const [session] = (await context.cookies(bank.origin)).filter(
      (cookie) => cookie.name === 'ory_kratos_session',
    );
    // What lets the browser send it cross-site; with Lax this test would prove nothing.
    expect(session).toMatchObject({ domain: '127.0.0.1', sameSite: 'None', secure: true });

    const me = await page.goto(`${bank.origin}/me`);
    expect(me?.status()).toBe(200);
    expect(await me?.json()).toEqual({ id: user.id, via: 'kratos-cookie' });
    expect(lastRequest(bank, 'GET', '/me').cookies).toContain('ory_kratos_session');
  });

  it('a same-origin POST from the app’s own page reaches the handler', async () => {
    await page.goto(`${bank.origin}/`);
    const answer = await transferAnswer(bank, () => page.click('#send'));

    expect(answer).toEqual({ status: 201, body: { transferred: true, by: user.id } });
    expect(bank.transfers).toEqual([`${user.id} -> savings`]);
    expect(lastRequest(bank, 'POST', '/transfer')).toMatchObject({
      secFetchSite: 'same-origin',
      cookies: expect.arrayContaining(['ory_kratos_session']),
    });
  });

  it.each([
    ['another site', 'localhost', 'cross-site'],
    ['another origin of the same site', '127.0.0.1', 'same-site'],
  ])(
    'a form POST forged by %s carries the cookie and is refused with 403',
    async (_from, host, site) => {
      const before = bank.transfers.length;
      const answer = await transferAnswer(bank, () => page.goto(attackerPage(host, bank)));

      expect(answer.status).toBe(403);
      expect(answer.body).toMatchObject({ code: 'auth.csrf.origin_mismatch' });
      expect(bank.transfers).toHaveLength(before);
      // The browser did attach the session cookie: the refusal is the library's, not SameSite's.
      expect(lastRequest(bank, 'POST', '/transfer')).toEqual({
        method: 'POST',
        path: '/transfer',
        cookies: expect.arrayContaining(['ory_kratos_session']),
        secFetchSite: site,
        origin: `http://${host}:${evilPort}`,
      });
      // And the session is still good: the 403 is not a rejected cookie.
      const me = await page.goto(`${bank.origin}/me`);
      expect(me?.status()).toBe(200);
    },
  );

  it('control: with kratos.csrf.enabled false the same forged POST goes through', async () => {
    const answer = await transferAnswer(unprotected, () =>
      page.goto(attackerPage('localhost', unprotected)),
    );

    expect(answer).toEqual({ status: 201, body: { transferred: true, by: user.id } });
    expect(unprotected.transfers).toEqual([`${user.id} -> attacker`]);
    expect(lastRequest(unprotected, 'POST', '/transfer')).toMatchObject({
      secFetchSite: 'cross-site',
      cookies: expect.arrayContaining(['ory_kratos_session']),
    });
  });

  it('behind Oathkeeper: a same-origin POST passes, a forged one becomes a valid token and is refused', async () => {
    await page.goto(`${gateway.origin}/home`);
    const own = await transferAnswer(gateway, () => page.click('#send'));
    expect(own).toEqual({ status: 201, body: { transferred: true, by: user.id } });

    const forged = await transferAnswer(gateway, () =>
      page.goto(attackerPage('localhost', gateway)),
    );
    expect(forged.status).toBe(403);
    expect(forged.body).toMatchObject({ code: 'auth.csrf.origin_mismatch' });
    expect(gateway.transfers).toEqual([`${user.id} -> savings`]);
    // Oathkeeper authenticated the forged request by its cookie and forwarded where it came from.
    expect(lastRequest(gateway, 'POST', '/transfer')).toMatchObject({
      cookies: expect.arrayContaining(['ory_kratos_session']),
      secFetchSite: 'cross-site',
      origin: `http://localhost:${evilPort}`,
    });
  });
});
