import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { Controller, Inject, Logger, type LoggerService, Post, Query } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { IamAuditEvent } from '../../../src/audit/audit-event.js';
import { AUDIT_SINK } from '../../../src/audit/audit-sink.js';
import type { HttpClientConfig } from '../../../src/config/http-config.js';
import type { ServiceTokensConfig } from '../../../src/config/service-tokens-config.js';
import { CurrentUser } from '../../../src/decorators/current-user.decorator.js';
import { Public } from '../../../src/decorators/public.decorator.js';
import { RequireScope } from '../../../src/decorators/require-scope.decorator.js';
import { RequireService } from '../../../src/decorators/require-service.decorator.js';
import { IamUpstreamUnavailableError } from '../../../src/errors/iam-errors.js';
import { IamExceptionFilter } from '../../../src/filters/iam-exception.filter.js';
import type { IamIdentity } from '../../../src/identity/iam-identity.js';
import { IamModule } from '../../../src/module/iam.module.js';
import { ServiceTokens } from '../../../src/services/service-tokens.service.js';
import { closedPortUrl } from '../../support/closed-port.js';
import { HangingServer } from '../../support/hanging-server.js';
import { type RunningApp, request, startApp } from '../../support/nest-app.js';
import { createServiceClient, type ServiceClient } from '../../support/ory/hydra-clients.js';
import { useOryStack } from '../../support/ory/vitest.js';
import { RecordingProxy } from '../../support/recording-proxy.js';
import { type OtelSdk, registerOtelSdk } from '../telemetry/otel-sdk.js';

const TOKEN_PATH = '/oauth2/token';
/** Characters a naive client would send unencoded in HTTP basic credentials. */
const ODD_SECRET = `p+w%d/:=&é-${randomUUID()}`;

/** Every line Nest's Logger writes while installed. */
class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  private capture(args: unknown[]): void {
    this.lines.push(args.map((arg) => (typeof arg === 'string' ? arg : inspect(arg))).join(' '));
  }
  log = (...args: unknown[]) => this.capture(args);
  error = (...args: unknown[]) => this.capture(args);
  warn = (...args: unknown[]) => this.capture(args);
  debug = (...args: unknown[]) => this.capture(args);
  verbose = (...args: unknown[]) => this.capture(args);
  fatal = (...args: unknown[]) => this.capture(args);
}

/** What an app answers when a handler cannot get its token: the 503 as a client sees it. */
@Controller('orders')
class OrdersController {
  constructor(@Inject(ServiceTokens) private readonly serviceTokens: ServiceTokens) {}

  @Public()
  @Post()
  async create(@Query('scope') scope = 'inventory:reserve') {
    const token = await this.serviceTokens
      .forTenant('default')
      .token({ audience: 'inventory-api', scope });
    return { scope: token.scope };
  }
}

/** The receiving side, as the library verifies Hydra's tokens locally. */
@Controller('inventory')
class InventoryController {
  @Post('reserve')
  @RequireScope('inventory:reserve')
  @RequireService('orders-api')
  reserve(@CurrentUser() caller: IamIdentity) {
    return { reservedBy: caller.id, kind: caller.kind };
  }
}

describe('ServiceTokens against the real Hydra v2.3.0', () => {
  const ory = useOryStack({ kratos: false, keto: false, hydra: true });
  const logger = new CapturingLogger();
  const events: IamAuditEvent[] = [];
  const errors: unknown[] = [];
  const answers: string[] = [];
  const secrets: string[] = [ODD_SECRET, encodeURIComponent(ODD_SECRET)];
  const apps: RunningApp[] = [];
  let sdk: OtelSdk;
  let proxy: RecordingProxy;
  let basicClient: ServiceClient;
  let postClient: ServiceClient;

  const hydra = () => {
    const { hydraPublic, hydraAdmin } = ory().urls;
    if (hydraPublic === undefined || hydraAdmin === undefined) throw new Error('no Hydra');
    return { hydraPublic, hydraAdmin };
  };

  /** An app whose default tenant is `client` at `hydraPublicUrl`; returns its ServiceTokens. */
  const start = async (
    serviceTokens: ServiceTokensConfig,
    http: HttpClientConfig = {},
  ): Promise<{ tokens: ServiceTokens; url: string }> => {
    const running = await startApp(
      {
        imports: [
          IamModule.forRoot({
            tenants: {
              default: {
                transport: 'oathkeeper',
                oathkeeper: {
                  jwks: { url: `${hydra().hydraPublic}/.well-known/jwks.json` },
                  audience: 'orders-api',
                },
                serviceTokens,
                http,
              },
            },
            telemetry: { enabled: true },
          }),
        ],
        controllers: [OrdersController],
        providers: [
          { provide: AUDIT_SINK, useValue: { emit: (event: IamAuditEvent) => events.push(event) } },
          { provide: APP_FILTER, useClass: IamExceptionFilter },
        ],
      },
      'express',
    );
    apps.push(running);
    return { tokens: running.app.get(ServiceTokens), url: running.url };
  };

  const failureOf = async (promise: Promise<unknown>): Promise<IamUpstreamUnavailableError> => {
    const error = await promise.then(
      () => {
        throw new Error('expected the token request to fail');
      },
      (failure: unknown) => failure,
    );
    errors.push(error);
    expect(error).toBeInstanceOf(IamUpstreamUnavailableError);
    return error as IamUpstreamUnavailableError;
  };

  const verify = (token: string, audience: string) =>
    jwtVerify(token, createRemoteJWKSet(new URL(`${hydra().hydraPublic}/.well-known/jwks.json`)), {
      issuer: `${hydra().hydraPublic}/`,
      audience,
    });

  beforeAll(async () => {
    sdk = registerOtelSdk();
    Logger.overrideLogger(logger);
    proxy = new RecordingProxy(hydra().hydraPublic);
    await proxy.start();
    // Hydra's storage is in memory: a blank server per file, so fixed ids cannot collide.
    basicClient = await createServiceClient(hydra().hydraAdmin, {
      id: 'orders-api',
      scope: ['inventory:reserve', 'inventory:read'],
      audience: ['inventory-api', 'billing-api'],
      authMethod: 'client_secret_basic',
      secret: ODD_SECRET,
    });
    postClient = await createServiceClient(hydra().hydraAdmin, {
      id: 'reports-api',
      scope: ['inventory:reserve'],
      audience: ['inventory-api'],
    });
    secrets.push(postClient.secret);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  afterAll(async () => {
    Logger.overrideLogger(false);
    await Promise.all(apps.map((app) => app.close()));
    await proxy?.stop();
    await sdk?.shutdown();
  });

  const basic = (extra: Partial<ServiceTokensConfig> = {}): ServiceTokensConfig => ({
    hydraPublicUrl: proxy.url,
    clientId: basicClient.id,
    clientSecret: basicClient.secret,
    ...extra,
  });

  it('obtains a token for the audience and scope asked, with basic credentials that need encoding', async () => {
    const { tokens } = await start(basic());
    const token = await tokens
      .forTenant('default')
      .token({ audience: 'inventory-api', scope: 'inventory:reserve' });
    const { payload } = await verify(token.accessToken, 'inventory-api');
    expect(payload).toMatchObject({ client_id: basicClient.id, scp: ['inventory:reserve'] });
    expect(payload.aud).toEqual(['inventory-api']);
    expect(token.scope).toEqual(['inventory:reserve']);
    expect(token.expiresAt.getTime()).toBeLessThanOrEqual((payload.exp ?? 0) * 1_000 + 1_000);
    const [sent] = proxy.calls(TOKEN_PATH).slice(-1);
    expect(sent?.headers.authorization).toMatch(/^Basic /);
    expect(sent?.body).not.toContain('client_secret');
  });

  it('sends client_secret_post credentials in the form', async () => {
    const { tokens } = await start({
      hydraPublicUrl: proxy.url,
      clientId: postClient.id,
      clientSecret: postClient.secret,
      authMethod: 'client_secret_post',
    });
    const token = await tokens.forTenant('default').token({ audience: 'inventory-api' });
    expect((await verify(token.accessToken, 'inventory-api')).payload.client_id).toBe(
      postClient.id,
    );
    const [sent] = proxy.calls(TOKEN_PATH).slice(-1);
    expect(sent?.headers.authorization).toBe(undefined);
    expect(new URLSearchParams(sent?.body).get('client_id')).toBe(postClient.id);
  });

  it('caches the token and shares one request among concurrent callers', async () => {
    const { tokens } = await start(basic());
    const before = proxy.calls(TOKEN_PATH).length;
    const concurrent = await Promise.all(
      Array.from({ length: 25 }, (_, index) =>
        tokens.forTenant('default', { deadlineMs: 2_000 }).token({
          audience: 'billing-api',
          scope: index % 2 ? ['inventory:read'] : 'inventory:read',
        }),
      ),
    );
    expect(new Set(concurrent.map((token) => token.accessToken)).size).toBe(1);
    expect(proxy.calls(TOKEN_PATH).length - before).toBe(1);
    const later = await tokens
      .forTenant('default')
      .token({ audience: 'billing-api', scope: 'inventory:read' });
    expect(later.accessToken).toBe(concurrent[0]?.accessToken);
    expect(proxy.calls(TOKEN_PATH).length - before).toBe(1);
    const other = await tokens
      .forTenant('default')
      .token({ audience: 'inventory-api', scope: 'inventory:read' });
    expect(decodeJwt(other.accessToken).aud).toEqual(['inventory-api']);
    expect(proxy.calls(TOKEN_PATH).length - before).toBe(2);
  });

  it('refreshes ahead of expiry in the background, then hands out the new token', async () => {
    const { tokens } = await start(basic({ expiryMarginMs: 30_000, refreshAheadMs: 60_000 }));
    const asked = { audience: 'inventory-api', scope: 'inventory:read' };
    vi.useFakeTimers({ toFake: ['Date'] });
    const first = await tokens.forTenant('default').token(asked);
    const before = proxy.calls(TOKEN_PATH).length;
    // Hydra's default lifespan is 1 h: 1 h - 30 s margin - 60 s ahead is the refresh point.
    vi.setSystemTime(Date.now() + 3_600_000 - 90_000);
    expect((await tokens.forTenant('default').token(asked)).accessToken).toBe(first.accessToken);
    await vi.waitFor(() => expect(proxy.calls(TOKEN_PATH).length).toBe(before + 1));
    await vi.waitFor(async () =>
      expect((await tokens.forTenant('default').token(asked)).accessToken).not.toBe(
        first.accessToken,
      ),
    );
    expect(proxy.calls(TOKEN_PATH).length).toBe(before + 1);
  });

  it('stops handing a token out at the margin and waits for a new one', async () => {
    const { tokens } = await start(basic({ expiryMarginMs: 30_000, refreshAheadMs: 0 }));
    const asked = { audience: 'inventory-api', scope: ['inventory:read', 'inventory:reserve'] };
    vi.useFakeTimers({ toFake: ['Date'] });
    const first = await tokens.forTenant('default').token(asked);
    vi.setSystemTime(Date.now() + 3_600_000 - 30_000);
    const second = await tokens.forTenant('default').token(asked);
    expect(second.accessToken).not.toBe(first.accessToken);
  });

  it('attaches tokens to fetch calls that the library’s own receiving side accepts', async () => {
    const { hydraPublic } = hydra();
    const inventory = await startApp(
      {
        imports: [
          IamModule.forRoot({
            tenants: {
              default: {
                transport: 'oathkeeper',
                oathkeeper: {
                  jwks: { url: `${hydraPublic}/.well-known/jwks.json` },
                  audience: 'inventory-api',
                },
                oauth2: {
                  issuer: `${hydraPublic}/`,
                  audience: 'inventory-api',
                  jwks: { url: `${hydraPublic}/.well-known/jwks.json` },
                },
              },
            },
          }),
        ],
        controllers: [InventoryController],
      },
      'express',
    );
    apps.push(inventory);
    const { tokens } = await start(basic());
    const reserve = tokens
      .forTenant('default')
      .fetch({ audience: 'inventory-api', scope: 'inventory:reserve' });
    const reserved = await reserve(`${inventory.url}/inventory/reserve`, { method: 'POST' });
    expect(reserved.status).toBe(201);
    expect(await reserved.json()).toEqual({ reservedBy: basicClient.id, kind: 'service' });
    const readOnly = tokens
      .forTenant('default')
      .fetch({ audience: 'inventory-api', scope: 'inventory:read' });
    const refused = await readOnly(`${inventory.url}/inventory/reserve`, { method: 'POST' });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 'authz.scope.deny' });
    const { tokens: reportsTokens } = await start({
      hydraPublicUrl: proxy.url,
      clientId: postClient.id,
      clientSecret: postClient.secret,
      authMethod: 'client_secret_post',
    });
    const otherService = reportsTokens
      .forTenant('default')
      .fetch({ audience: 'inventory-api', scope: 'inventory:reserve' });
    const notListed = await otherService(`${inventory.url}/inventory/reserve`, { method: 'POST' });
    expect(notListed.status).toBe(403);
    expect(await notListed.json()).toMatchObject({ code: 'authz.service.deny' });
    const elsewhere = tokens.forTenant('default').fetch({ audience: 'billing-api' });
    const wrongAudience = await elsewhere(`${inventory.url}/inventory/reserve`, { method: 'POST' });
    expect(wrongAudience.status).toBe(401);
  });

  it('answers a wrong secret with 503 service_token.rejected naming invalid_client, never the secret', async () => {
    const wrong = `wrong-${randomUUID()}`;
    secrets.push(wrong);
    const { tokens, url } = await start(basic({ clientSecret: wrong }));
    const failure = await failureOf(
      tokens.forTenant('default').token({ audience: 'inventory-api' }),
    );
    expect(failure).toMatchObject({ code: 'service_token.rejected', retryAfterSeconds: 30 });
    expect(failure.getStatus()).toBe(503);
    expect(failure.reason).toMatch(/HTTP 401 from .*\/oauth2\/token invalid_client/);
    expect(events.filter((event) => event.name === 'service_token.rejected').at(-1)).toMatchObject({
      tenant: 'default',
      subject: basicClient.id,
      code: 'service_token.rejected',
      detail: { audience: 'inventory-api', scope: '', reason: failure.reason },
    });
    const answer = await request(`${url}/orders`, { method: 'POST' });
    answers.push(JSON.stringify({ body: answer.body, headers: [...answer.headers] }));
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('30');
    expect(answer.body).toMatchObject({ statusCode: 503, code: 'service_token.rejected' });
  });

  it('answers a scope or audience the client may not ask for with service_token.rejected', async () => {
    const { tokens } = await start(basic());
    const scope = await failureOf(
      tokens.forTenant('default').token({ audience: 'inventory-api', scope: 'inventory:delete' }),
    );
    expect(scope).toMatchObject({ code: 'service_token.rejected' });
    expect(scope.reason).toMatch(/invalid_scope/);
    const audience = await failureOf(
      tokens.forTenant('default').token({ audience: 'payroll-api' }),
    );
    expect(audience).toMatchObject({ code: 'service_token.rejected' });
    expect(audience.reason).toMatch(/HTTP 400/);
  });

  it('answers a token answer of the wrong shape with 503 service_token.unavailable', async () => {
    const liar = new RecordingProxy(hydra().hydraPublic);
    await liar.start();
    try {
      liar.lies.set(TOKEN_PATH, (answer) => ({ ...(answer as object), expires_in: 'soon' }));
      const { tokens } = await start(basic({ hydraPublicUrl: liar.url }));
      const failure = await failureOf(
        tokens.forTenant('default').token({ audience: 'inventory-api' }),
      );
      expect(failure).toMatchObject({ code: 'service_token.unavailable' });
      expect(failure.reason).toMatch(/malformed answer from Hydra's token endpoint \(expires_in/);
    } finally {
      await liar.stop();
    }
  });

  it('costs a caller at most its deadline when Hydra hangs, and sends it one request only', async () => {
    const hanging = new HangingServer();
    await hanging.start();
    try {
      const { tokens } = await start(basic({ hydraPublicUrl: hanging.url }), {
        timeoutMs: 5_000,
        deadlineMs: 10_000,
      });
      const callers = Array.from({ length: 10 }, () =>
        failureOf(
          tokens.forTenant('default', { deadlineMs: 300 }).token({ audience: 'inventory-api' }),
        ),
      );
      for (const failure of await Promise.all(callers)) {
        expect(failure).toMatchObject({ code: 'service_token.unavailable', retryAfterSeconds: 1 });
        expect(failure.reason).toMatch(/deadline of 300 ms/);
      }
      // Every caller gave up while the one request was still open: none waited for it.
      expect(hanging.requests).toHaveLength(1);
      expect(hanging.requests[0]?.socket.destroyed).toBe(false);
      await failureOf(
        tokens.forTenant('default', { deadlineMs: 50 }).token({ audience: 'inventory-api' }),
      );
      expect(hanging.requests).toHaveLength(1);
    } finally {
      await hanging.stop();
    }
  });

  it('stops asking a Hydra that is down once the breaker opens: no retry storm', async () => {
    const down = new RecordingProxy(await closedPortUrl());
    await down.start();
    try {
      const { tokens } = await start(basic({ hydraPublicUrl: down.url }), {
        retries: 0,
        breaker: { failureThreshold: 3, halfOpenAfterMs: 60_000 },
      });
      const codes: string[] = [];
      for (let call = 0; call < 10; call += 1) {
        const failure = await failureOf(
          tokens.forTenant('default').token({ audience: 'inventory-api' }),
        );
        expect(failure.getStatus()).toBe(503);
        expect(failure.retryAfterSeconds).toBeGreaterThan(0);
        codes.push(failure.code);
      }
      expect(codes).toEqual([
        ...Array(3).fill('service_token.unavailable'),
        ...Array(7).fill('upstream.circuit_open'),
      ]);
      expect(down.calls(TOKEN_PATH)).toHaveLength(3);
      expect(events.some((event) => event.name === 'upstream.breaker.opened')).toBe(true);
    } finally {
      await down.stop();
    }
  });

  it('never lets a client secret reach a log line, an error, an answer, an audit event or a span', () => {
    expect(
      events.filter((event) => event.name.startsWith('service_token.')).length,
    ).toBeGreaterThan(3);
    expect(sdk.spans().some((span) => span.attributes['iam.upstream'] === 'hydra')).toBe(true);
    const seen = [
      ...logger.lines,
      ...events.map((event) => JSON.stringify(event)),
      ...errors.map((error) => inspect(error, { depth: 10, showHidden: true })),
      ...errors.map((error) => JSON.stringify(error)),
      ...answers,
      ...sdk
        .spans()
        .map((span) =>
          JSON.stringify({ name: span.name, attributes: span.attributes, events: span.events }),
        ),
    ].join('\n');
    for (const secret of secrets) expect(seen).not.toContain(secret);
  });
});
