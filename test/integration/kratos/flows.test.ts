import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FlowService,
  IamModule,
  type IamRegistrationResult,
  Public,
  SessionService,
  type TenantFlows,
} from '../../../src/index.js';
import { type RunningApp, request, startApp } from '../../support/nest-app.js';
import { kratosUrls, PASSWORD, useKratosStack } from './support.js';

// The walkthrough's auth-bff controller, with only the import changed.
@Controller('auth')
@Public()
class AuthController {
  constructor(private readonly flows: FlowService) {}
  @Get('login')
  initiateLogin(@Query('returnTo') returnTo?: string) {
    return this.flows.forTenant('default').initiateLogin({ returnTo });
  }
  @Post('login/:flowId')
  submitLogin(@Param('flowId') id: string, @Body() body: unknown) {
    return this.flows.forTenant('default').submitLogin(id, body);
  }
  @Get('registration')
  initiateRegistration() {
    return this.flows.forTenant('default').initiateRegistration();
  }
  @Post('registration/:flowId')
  submitRegistration(@Param('flowId') id: string, @Body() body: unknown) {
    return this.flows.forTenant('default').submitRegistration(id, body);
  }
}

/** Recovery and verification are off in the harness's config; these tests turn them on. */
function enableRecoveryAndVerification(runDir: string): void {
  const path = join(runDir, 'kratos.yml');
  const config = readFileSync(path, 'utf8');
  writeFileSync(
    path,
    config
      .replace('  methods:\n', '  methods:\n    code:\n      enabled: true\n')
      .replace(
        '  flows:\n',
        '  flows:\n    recovery:\n      enabled: true\n      use: code\n    verification:\n      enabled: true\n      use: code\n',
      ),
  );
}

function cookiePairs(setCookies: readonly string[]): string {
  return setCookies.map((cookie) => cookie.split(';')[0] ?? '').join('; ');
}

describe('FlowService against the real Kratos', () => {
  const ory = useKratosStack();
  let app: RunningApp;
  let flows: TenantFlows;
  let sessions: ReturnType<SessionService['forTenant']>;

  const email = () => `${randomUUID()}@example.test`;
  const register = async (address: string): Promise<IamRegistrationResult> => {
    const flow = await flows.initiateRegistration();
    return flows.submitRegistration(flow.id, { traits: { email: address }, password: PASSWORD });
  };

  beforeAll(async () => {
    enableRecoveryAndVerification(ory().runDir);
    await ory().restart('kratos');
    const { publicUrl, adminUrl } = kratosUrls(ory());
    app = await startApp(
      {
        imports: [
          IamModule.forRoot({
            global: false,
            tenants: {
              default: {
                mode: 'self-hosted',
                transport: 'cookie-or-bearer',
                kratos: { publicUrl, adminUrl },
              },
            },
          }),
        ],
        controllers: [AuthController],
      },
      'express',
    );
    flows = app.app.get(FlowService).forTenant('default');
    sessions = app.app.get(SessionService).forTenant('default');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('native registration and login return a session token whoami accepts', async () => {
    const address = email();
    const registered = await register(address);
    expect(registered.status).toBe('success');
    if (registered.status !== 'success') return;
    expect(registered.sessionToken).toEqual(expect.any(String));
    expect(registered.identity.traits).toMatchObject({ email: address });
    const whoami = await sessions.whoami({ token: registered.sessionToken ?? '' });
    expect(whoami.identity?.id).toBe(registered.identity.id);

    const flow = await flows.initiateLogin();
    expect(flow).toMatchObject({ type: 'login', mode: 'native', ui: { method: 'POST' } });
    expect(flow.expiresAt?.getTime()).toBeGreaterThan(Date.now());
    const login = await flows.submitLogin(flow.id, { identifier: address, password: PASSWORD });
    expect(login).toMatchObject({ status: 'success', identity: { id: registered.identity.id } });
    if (login.status !== 'success') return;
    expect((await sessions.whoami({ token: login.sessionToken ?? '' })).id).toBe(login.session?.id);
  });

  it('registration with a bad password is a typed invalid result with messages', async () => {
    const address = email();
    const flow = await flows.initiateRegistration();
    const result = await flows.submitRegistration(flow.id, {
      traits: { email: address },
      password: address,
    });
    expect(result.status).toBe('invalid');
    if (result.status !== 'invalid') return;
    expect(result.flow.id).toBe(flow.id);
    expect(result.messages.length).toBeGreaterThan(0);
    expect(result.messages[0]).toMatchObject({ type: 'error', id: expect.any(Number) });
  });

  it('a wrong password on login is invalid, not an exception', async () => {
    const address = email();
    await register(address);
    const flow = await flows.initiateLogin();
    const result = await flows.submitLogin(flow.id, {
      identifier: address,
      password: 'nope-Wr0ng-pass',
    });
    expect(result).toMatchObject({
      status: 'invalid',
      messages: [expect.objectContaining({ type: 'error' })],
    });
  });

  it('rejects a non-object body or a malformed flow id with 400 and an unknown flow with 404', async () => {
    const flow = await flows.initiateLogin();
    await expect(flows.submitLogin(flow.id, 'identifier=x')).rejects.toMatchObject({
      status: 400,
      response: { code: 'flow.invalid_body' },
    });
    await expect(flows.submitLogin(flow.id, [1])).rejects.toMatchObject({ status: 400 });
    await expect(
      flows.submitLogin(randomUUID(), { identifier: 'x', password: 'y' }),
    ).rejects.toMatchObject({
      status: 404,
      response: { code: 'flow.not_found' },
    });
    await expect(flows.submitLogin('not-a-flow', {})).rejects.toMatchObject({
      status: 400,
      response: { code: 'request.invalid_id' },
    });
  });

  it('browser login: CSRF cookie in, session cookie out, whoami accepts it', async () => {
    const address = email();
    await register(address);
    const flow = await flows.initiateLogin({ mode: 'browser' });
    expect(flow.mode).toBe('browser');
    expect(flow.csrfToken).toEqual(expect.any(String));
    // The browser's cookie jar has the application's own cookies too; only Kratos' may travel.
    expect(flow.setCookies.join(';')).toContain('csrf_token');
    const flowCookies = cookiePairs(flow.setCookies);
    const result = await flows.submitLogin(
      flow.id,
      { identifier: address, password: PASSWORD, csrf_token: flow.csrfToken },
      { mode: 'browser', cookie: `app_pref=dark; ${flowCookies}` },
    );
    expect(result.status).toBe('success');
    if (result.status !== 'success') return;
    expect(result.sessionToken).toBeUndefined();
    const sessionCookie = cookiePairs(result.setCookies);
    expect(sessionCookie).toContain('ory_kratos_session=');
    expect((await sessions.whoami({ cookie: sessionCookie })).identity?.id).toBe(
      result.identity.id,
    );

    const logout = await flows.logout({ mode: 'browser', cookie: sessionCookie });
    expect(logout.setCookies.join(';')).toContain('ory_kratos_session=');
    await expect(sessions.whoami({ cookie: sessionCookie })).rejects.toMatchObject({ status: 401 });
  });

  it('browser submit without the CSRF cookie is a 403 with a code', async () => {
    const flow = await flows.initiateLogin({ mode: 'browser' });
    await expect(
      flows.submitLogin(
        flow.id,
        { identifier: email(), password: PASSWORD, csrf_token: flow.csrfToken },
        { mode: 'browser', cookie: 'app_pref=dark' },
      ),
    ).rejects.toMatchObject({ status: 403, response: { code: 'flow.csrf_violation' } });
  });

  it('recovery and verification flows start and accept an address', async () => {
    const address = email();
    await register(address);
    const recovery = await flows.initiateRecovery();
    expect(recovery).toMatchObject({ type: 'recovery', mode: 'native' });
    expect(await flows.submitRecovery(recovery.id, { email: address })).toMatchObject({
      status: 'success',
      flow: { state: 'sent_email' },
    });
    const verification = await flows.initiateVerification();
    expect(verification).toMatchObject({ type: 'verification', mode: 'native' });
    expect(await flows.submitVerification(verification.id, { email: address })).toMatchObject({
      status: 'success',
      flow: { state: 'sent_email' },
    });
  });

  it('settings update with a session changes the traits; without one it is 401', async () => {
    const registered = await register(email());
    if (registered.status !== 'success') throw new Error('registration failed');
    const sessionToken = registered.sessionToken ?? '';
    const flow = await flows.initiateSettings({ sessionToken });
    const renamed = email();
    const result = await flows.submitSettings(
      flow.id,
      { method: 'profile', traits: { email: renamed } },
      { sessionToken },
    );
    expect(result).toMatchObject({ status: 'success', identity: { traits: { email: renamed } } });
    await expect(flows.initiateSettings({})).rejects.toMatchObject({ status: 401 });
    await expect(flows.initiateSettings({ sessionToken: 'ory_st_unknown' })).rejects.toMatchObject({
      status: 401,
    });
  });

  it('native logout invalidates the session', async () => {
    const registered = await register(email());
    if (registered.status !== 'success') throw new Error('registration failed');
    const token = registered.sessionToken ?? '';
    await sessions.whoami({ token });
    await flows.logout({ sessionToken: token });
    await expect(sessions.whoami({ token })).rejects.toMatchObject({ status: 401 });
    // Kratos v1.3.1 answers 204 again: the session exists, inactive.
    expect(await flows.logout({ sessionToken: token })).toEqual({ setCookies: [] });
    // And 403 for a token that was never a session, which is not a success either.
    await expect(
      flows.logout({ sessionToken: 'ory_st_neverasessionneverasession' }),
    ).rejects.toMatchObject({ status: 401, response: { code: 'auth.failure.session_inactive' } });
  });

  it("the walkthrough's AuthController works over HTTP", async () => {
    const address = email();
    const started = await request(`${app.url}/auth/registration`);
    expect(started.status).toBe(200);
    const flowId = (started.body as { id: string }).id;
    const registered = await request(`${app.url}/auth/registration/${flowId}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ method: 'password', traits: { email: address }, password: PASSWORD }),
    });
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({
      status: 'success',
      sessionToken: expect.any(String),
      identity: { id: expect.any(String) },
    });

    const login = await request(`${app.url}/auth/login?returnTo=`);
    const loginId = (login.body as { id: string }).id;
    const loggedIn = await request(`${app.url}/auth/login/${loginId}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ identifier: address, password: PASSWORD }),
    });
    expect(loggedIn.body).toMatchObject({ status: 'success', sessionToken: expect.any(String) });

    const invalid = await request(`${app.url}/auth/login/${loginId}`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: 'identifier=x',
    });
    expect(invalid).toMatchObject({ status: 400, body: { code: 'flow.invalid_body' } });
    const expired = await request(`${app.url}/auth/login/${randomUUID()}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ identifier: address, password: PASSWORD }),
    });
    expect(expired).toMatchObject({ status: 404, body: { code: 'flow.not_found' } });
  });
});
