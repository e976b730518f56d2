/**
 * The cookie transport's CSRF check, proven with a real browser (Debian's chromium, installed by
 * scripts/browser/install, driven by playwright-core) against the real Kratos.
 *
 * - The app is `http://127.0.0.1:<app>`: a page with a same-origin form, Kratos' login UI page,
 *   a protected `GET /me` and an unsafe `POST /transfer` that counts its calls.
 * - Login is Kratos' own browser flow, directly against Kratos (same host, another port; no
 *   Oathkeeper): the browser is sent to the app's login page, which renders the flow's form, and
 *   the form POSTs to Kratos, which sets `ory_kratos_session` and redirects back to the app.
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
import { Controller, Get, Header, Inject, Post, Query, Req } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CurrentUser, type IamIdentity, IamModule, Public } from '../../../src/index.js';
import { freePorts } from '../../support/ory/ports.js';
import { useOryStack } from '../../support/ory/vitest.js';
import { createIdentity, kratosUrls, PASSWORD, type TestUser } from '../kratos/support.js';

const chromiumPath = process.env.NESTJS_ORY_IAM_CHROMIUM || '/usr/bin/chromium';

/** What the app saw of one request, before any guard ran. */
interface LoggedRequest {
  readonly method: string;
  readonly path: string;
  readonly cookies: readonly string[];
  readonly secFetchSite: string | undefined;
  readonly origin: string | undefined;
}

const KRATOS_PUBLIC_URL = Symbol('KRATOS_PUBLIC_URL');
const TRANSFERS = Symbol('TRANSFERS');

const escapeHtml = (value: unknown) =>
  String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('"', '&quot;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;');

interface LoginFlow {
  ui: {
    action: string;
    method: string;
    nodes: Array<{ attributes: { name?: string; type?: string; value?: unknown } }>;
  };
}

@Controller()
class BankController {
  constructor(
    @Inject(KRATOS_PUBLIC_URL) private readonly kratosPublic: string,
    @Inject(TRANSFERS) private readonly transfers: string[],
  ) {}

  /** The app's own page: a same-origin form to the unsafe route. */
  @Get()
  @Public()
  @Header('Content-Type', 'text/html; charset=utf-8')
  home() {
    return `<!doctype html><title>bank</title>
<form method="POST" action="/transfer">
  <input name="amount" value="10"><input name="to" value="savings">
  <button id="send" type="submit">send</button>
</form>`;
  }

  /**
   * Kratos' login UI (`selfservice.flows.login.ui_url`): reads the flow with the browser's CSRF
   * cookie, as a server-rendered UI does, and renders its form, which POSTs to Kratos.
   */
  @Get('login')
  @Public()
  @Header('Content-Type', 'text/html; charset=utf-8')
  async login(
    @Query('flow') flowId: string,
    @Req() request: { headers: Record<string, string | undefined> },
  ) {
    const response = await fetch(
      `${this.kratosPublic}/self-service/login/flows?id=${encodeURIComponent(flowId)}`,
      { headers: { Accept: 'application/json', Cookie: request.headers.cookie ?? '' } },
    );
    if (response.status !== 200) {
      throw new Error(`login flow ${flowId}: ${response.status} ${await response.text()}`);
    }
    const { ui } = (await response.json()) as LoginFlow;
    const inputs = ui.nodes
      .filter((node) => node.attributes.name !== undefined)
      .map(({ attributes: { name, type, value } }) =>
        type === 'submit'
          ? `<button id="login" type="submit" name="${escapeHtml(name)}" value="${escapeHtml(value)}">sign in</button>`
          : `<input name="${escapeHtml(name)}" type="${escapeHtml(type)}" value="${escapeHtml(value)}">`,
      );
    return `<!doctype html><title>login</title>
<form method="${escapeHtml(ui.method)}" action="${escapeHtml(ui.action)}">${inputs.join('\n')}</form>`;
  }

  @Get('me')
  me(@CurrentUser() user: IamIdentity) {
    return { id: user.id, via: user.via };
  }

  /** Unsafe: every call that reaches the handler is counted. */
  @Post('transfer')
  transfer(@CurrentUser('id') id: string, @Req() request: { body?: { to?: string } }) {
    this.transfers.push(`${id} -> ${request.body?.to ?? '?'}`);
    return { transferred: true, by: id };
  }
}

interface Bank {
  readonly app: NestExpressApplication;
  readonly origin: string;
  /** One entry per call that reached the `/transfer` handler. */
  readonly transfers: string[];
  /** Every request the app received, logged before any guard ran. */
  readonly requests: LoggedRequest[];
}

/** The app on 127.0.0.1:`port`, the cookie transport with the CSRF check on or off. */
async function startBank(publicUrl: string, port: number, csrf: boolean): Promise<Bank> {
  const transfers: string[] = [];
  const requests: LoggedRequest[] = [];
  const moduleRef = await Test.createTestingModule({
    imports: [
      IamModule.forRoot({
        tenants: {
          default: { transport: 'cookie', kratos: { publicUrl, csrf: { enabled: csrf } } },
        },
      }),
    ],
    controllers: [BankController],
    providers: [
      { provide: KRATOS_PUBLIC_URL, useValue: publicUrl },
      { provide: TRANSFERS, useValue: transfers },
    ],
  }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
  // What the browser really sent, refused or not (cookie names only, no values).
  app.use(
    (
      request: { method: string; url: string; headers: Record<string, string | undefined> },
      _response: unknown,
      next: () => void,
    ) => {
      requests.push({
        method: request.method,
        path: request.url.split('?')[0] ?? '',
        cookies: (request.headers.cookie ?? '')
          .split(';')
          .map((pair) => pair.split('=')[0]?.trim() ?? '')
          .filter((name) => name !== ''),
        secFetchSite: request.headers['sec-fetch-site'],
        origin: request.headers.origin,
      });
      next();
    },
  );
  await app.listen(port, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return { app, origin: `http://127.0.0.1:${address.port}`, transfers, requests };
}

function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('no TCP address'));
      else resolve(address.port);
    });
  });
}

// Kratos' config names the app's login page, so the app's port is chosen before either starts.
const [appPort = 0] = await freePorts(1);
const appOrigin = `http://127.0.0.1:${appPort}`;

describe('CSRF in a real browser: cookie transport, real Kratos, Chromium', () => {
  const ory = useOryStack(() => ({
    keto: false,
    kratosOptions: {
      dev: false,
      env: {
        SESSION_COOKIE_SAME_SITE: 'None',
        SELFSERVICE_FLOWS_LOGIN_UI_URL: `${appOrigin}/login`,
        SELFSERVICE_DEFAULT_BROWSER_RETURN_URL: `${appOrigin}/`,
      },
    },
  }));

  let bank: Bank;
  /** The same app with `kratos.csrf.enabled: false`: the control showing the attack is real. */
  let unprotected: Bank;
  let evil: Server;
  let evilPort = 0;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let user: TestUser;

  beforeAll(async () => {
    const { adminUrl, publicUrl } = kratosUrls(ory());
    user = await createIdentity(adminUrl);
    bank = await startBank(publicUrl, appPort, true);
    unprotected = await startBank(publicUrl, 0, false);

    // The attacker: a page that makes the browser POST a form to the app as soon as it loads.
    // `?target=` is the app to attack (an origin the test chose, never echoed unchecked).
    evil = createServer((request, response) => {
      const target = new URL(request.url ?? '/', 'http://evil').searchParams.get('target');
      if (target !== bank.origin && target !== unprotected.origin) {
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

  it('logs in through the Kratos browser flow and reads the protected page with the cookie', async () => {
    const { publicUrl } = kratosUrls(ory());
    await page.goto(`${publicUrl}/self-service/login/browser`);
    await page.waitForURL(`${bank.origin}/login?flow=*`);
    await page.fill('input[name="identifier"]', user.email);
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([page.waitForURL(`${bank.origin}/`), page.click('#login')]);

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
});
