/**
 * The app of the browser CSRF test: a page with a same-origin form, Kratos' login UI page, a
 * protected `GET /me` and an unsafe `POST /transfer` that counts its calls, every request logged
 * (cookie names only) before any guard runs.
 */
import type { Server } from 'node:http';
import { Controller, Get, Header, Inject, Post, Query, Req } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import {
  CurrentUser,
  type IamIdentity,
  IamModule,
  Public,
  type TenantConfig,
} from '../../../src/index.js';
import type { OryStack } from '../../support/ory/stack.js';

/** What the app saw of one request, before any guard ran. */
export interface LoggedRequest {
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
  @Get(['', 'home'])
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

export interface Bank {
  readonly app: NestExpressApplication;
  readonly origin: string;
  /** One entry per call that reached the `/transfer` handler. */
  readonly transfers: string[];
  /** Every request the app received, logged before any guard ran. */
  readonly requests: LoggedRequest[];
}

/** The cookie transport with the CSRF check on or off. */
export const cookieTenant = (publicUrl: string, csrf: boolean): TenantConfig => ({
  transport: 'cookie',
  kratos: { publicUrl, csrf: { enabled: csrf } },
});

/** Oathkeeper's id_tokens, with the CSRF check on (Oathkeeper authenticates by the cookie). */
export const gatewayTenant = (ory: OryStack): TenantConfig => {
  const { jwksUrl, oathkeeperProxy } = ory.urls;
  if (jwksUrl === undefined || oathkeeperProxy === undefined) throw new Error('no Oathkeeper');
  return {
    transport: 'oathkeeper',
    oathkeeper: {
      verifier: 'jwt',
      jwks: { url: jwksUrl },
      issuer: `${oathkeeperProxy}/`,
      audience: 'orders-api',
      identityHeader: 'Authorization',
      replayProtection: { enabled: true },
      csrf: { enabled: true },
    },
  };
};

/** The app on 127.0.0.1:`port` with the tenant `tenant`. */
export async function startBank(
  publicUrl: string,
  port: number,
  tenant: TenantConfig,
): Promise<Bank> {
  const transfers: string[] = [];
  const requests: LoggedRequest[] = [];
  const moduleRef = await Test.createTestingModule({
    imports: [IamModule.forRoot({ tenants: { default: tenant } })],
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

export function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('no TCP address'));
      else resolve(address.port);
    });
  });
}
