import { randomBytes } from 'node:crypto';
import { Logger, type LoggerService } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUDIT_SINK,
  type IamAuditEvent,
  LoggerAuditSink,
  type TenantConfig,
} from '../../../src/index.js';
import { type TestJwksServer, TestSigner } from '../../../src/testing/index.js';
import { closedPortUrl } from '../../support/closed-port.js';
import { type JsonResponse, PLATFORMS, request } from '../../support/nest-app.js';
import { loginBrowser, loginNative } from '../../support/ory/kratos-flows.js';
import { useOryStack } from '../../support/ory/vitest.js';
import {
  createIdentity,
  type IamApp,
  kratosUrls,
  PASSWORD,
  startIamApp,
} from '../kratos/support.js';

const ISSUER = 'https://oathkeeper.test/';
const AUDIENCE = 'orders-api';

/** Every line Nest's Logger writes while installed, with its level. */
class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  private capture(level: string, args: unknown[]): void {
    this.lines.push(
      `${level} ${args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' ')}`,
    );
  }
  log = (...args: unknown[]) => this.capture('log', args);
  error = (...args: unknown[]) => this.capture('error', args);
  warn = (...args: unknown[]) => this.capture('warn', args);
  debug = (...args: unknown[]) => this.capture('debug', args);
  verbose = (...args: unknown[]) => this.capture('verbose', args);
  fatal = (...args: unknown[]) => this.capture('fatal', args);
}

describe.each(PLATFORMS)(
  'no credential in audit events, error bodies or logs on %s',
  (platform) => {
    const ory = useOryStack({ keto: false });
    const logger = new CapturingLogger();
    /** Audit events, as handed to the sink (which also logs them through Nest's Logger). */
    const events: IamAuditEvent[] = [];
    const answers: string[] = [];
    /** Every credential sent, and the signature part of every JWT on its own. */
    const secrets: string[] = [];
    const statuses: number[] = [];
    const apps: IamApp[] = [];
    let jwks: TestJwksServer;

    const start = async (tenant: TenantConfig): Promise<IamApp> => {
      const loggingSink = new LoggerAuditSink();
      const app = await startIamApp(platform, tenant, {
        providers: [
          {
            provide: AUDIT_SINK,
            useValue: {
              emit: (event: IamAuditEvent) => {
                events.push(event);
                loggingSink.emit(event);
              },
            },
          },
        ],
      });
      apps.push(app);
      return app;
    };
    const send = async (app: IamApp, path: string, headers: Record<string, string>) => {
      const response: JsonResponse = await request(`${app.url}${path}`, {
        headers: { 'X-Request-Id': 'leak-scan', ...headers },
      });
      answers.push(JSON.stringify({ body: response.body, headers: [...response.headers] }));
      return response.status;
    };

    beforeAll(async () => {
      const signer = TestSigner.create();
      jwks = await signer.serve();
      const jwt = (jwksUrl: string): TenantConfig => ({
        transport: 'oathkeeper',
        oathkeeper: {
          verifier: 'jwt',
          jwks: { url: jwksUrl },
          issuer: ISSUER,
          audience: AUDIENCE,
          replayProtection: { enabled: true },
          identityHeader: 'Authorization',
        },
      });
      const kratos = (publicUrl: string): TenantConfig => ({
        transport: 'cookie-or-bearer',
        kratos: { publicUrl },
        http: { timeoutMs: 1_000, retries: 0 },
      });
      const [jwtApp, jwksDownApp, kratosApp, kratosDownApp] = [
        await start(jwt(jwks.url)),
        await start(jwt(`${await closedPortUrl()}/.well-known/jwks.json`)),
        await start(kratos(kratosUrls(ory()).publicUrl)),
        await start(kratos(await closedPortUrl())),
      ];
      Logger.overrideLogger(logger);

      const mint = (claims: Record<string, unknown> = {}, options = {}) =>
        signer.mint(
          { iss: ISSUER, aud: [AUDIENCE], tenant: 'default', sub: 'alice', ...claims },
          options,
        );
      const valid = mint();
      const forged = mint({}, { forge: true });
      const expired = mint({ exp: Math.floor(Date.now() / 1_000) - 600 });
      const tampered = `${valid.slice(0, -4)}AAAA`;
      const { adminUrl, publicUrl } = kratosUrls(ory());
      const user = await createIdentity(adminUrl);
      const cookie = await loginBrowser(publicUrl, user.email, PASSWORD);
      const token = (await loginNative(publicUrl, user.email, PASSWORD)).sessionToken;
      const wrongToken = `ory_st_${randomBytes(24).toString('base64url')}`;
      const wrongCookie = `ory_kratos_session=${randomBytes(48).toString('base64url')}`;
      secrets.push(
        ...[valid, forged, expired, tampered].flatMap((jws) => [jws, jws.split('.')[2] ?? jws]),
        cookie,
        cookie.slice('ory_kratos_session='.length),
        decodeURIComponent(cookie.slice('ory_kratos_session='.length)),
        token,
        wrongToken,
        wrongCookie.slice('ory_kratos_session='.length),
      );

      const bearer = (value: string) => ({ Authorization: `Bearer ${value}` });
      statuses.push(
        await send(jwtApp, '/me', bearer(valid)),
        await send(jwtApp, '/me', bearer(valid)),
        await send(jwtApp, '/me', bearer(forged)),
        await send(jwtApp, '/me', bearer(tampered)),
        await send(jwtApp, '/me', bearer(expired)),
        await send(jwksDownApp, '/me', bearer(mint())),
        await send(kratosApp, '/me', { Cookie: `theme=dark; ${cookie}` }),
        await send(kratosApp, '/me', bearer(token)),
        await send(kratosApp, '/me', { 'X-Session-Token': token }),
        await send(kratosApp, '/whoami', { 'X-Session-Token': token }),
        await send(kratosApp, '/me', { Cookie: wrongCookie }),
        await send(kratosApp, '/me', bearer(wrongToken)),
        await send(kratosApp, '/whoami', { 'X-Session-Token': wrongToken }),
        await send(kratosDownApp, '/me', { Cookie: cookie }),
        await send(kratosDownApp, '/me', bearer(token)),
      );
    });
    afterAll(async () => {
      Logger.overrideLogger(false);
      await Promise.all(apps.map((app) => app.close()));
      await jwks?.close();
    });

    it('ran the representative requests (valid, invalid, replayed, upstream down)', () => {
      expect(statuses).toEqual([
        200, 401, 401, 401, 401, 503, 200, 200, 200, 200, 401, 401, 401, 503, 503,
      ]);
      const logged = logger.lines.join('\n');
      for (const name of [
        'auth.failure.replay',
        'auth.failure.invalid_signature',
        'auth.upstream_unavailable',
      ]) {
        expect(logged).toContain(name);
      }
    });

    it('wrote none of the tokens, cookies or session tokens anywhere', () => {
      const outputs: Array<[string, string]> = [
        ...events.map((event): [string, string] => ['an audit event', JSON.stringify(event)]),
        ...logger.lines.map((line): [string, string] => ['a log line', line]),
        ...answers.map((answer): [string, string] => ['a response', answer]),
      ];
      const leaks = secrets.flatMap((secret, index) =>
        outputs
          .filter(([, text]) => text.includes(secret))
          .map(([where, text]) => `credential #${index} in ${where}: ${text.slice(0, 200)}`),
      );
      expect(secrets.length).toBeGreaterThan(10);
      expect(leaks).toEqual([]);
    });
  },
);
