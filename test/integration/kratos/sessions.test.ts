import { NotFoundException } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionService } from '../../../src/index.js';
import { PLATFORMS, request } from '../../support/nest-app.js';
import { loginBrowser, loginNative } from '../../support/ory/kratos-flows.js';
import {
  createIdentity,
  deactivate,
  type IamApp,
  kratosUrls,
  PASSWORD,
  startIamApp,
  useKratosStack,
} from './support.js';

describe.each(PLATFORMS)('sessions against the real Kratos on %s', (platform) => {
  const ory = useKratosStack();
  let uncached: IamApp;
  let cached: IamApp;

  const tokenOf = async (email: string) =>
    (await loginNative(kratosUrls(ory()).publicUrl, email, PASSWORD)).sessionToken;
  const me = (app: IamApp, token: string) =>
    request(`${app.url}/me`, { headers: { 'X-Session-Token': token } });
  const sessionsOf = (app: IamApp) => app.app.get(SessionService).forTenant('default');

  beforeAll(async () => {
    const { publicUrl, adminUrl } = kratosUrls(ory());
    uncached = await startIamApp(platform, {
      transport: 'cookie-or-bearer',
      kratos: { publicUrl, adminUrl },
    });
    cached = await startIamApp(platform, {
      transport: 'cookie-or-bearer',
      kratos: { publicUrl, adminUrl, sessionCache: { enabled: true, ttlMs: 60_000 } },
    });
  });
  afterAll(async () => {
    await uncached?.close();
    await cached?.close();
  });

  it('rejects a revoked session on the next request', async () => {
    const user = await createIdentity(kratosUrls(ory()).adminUrl);
    const token = await tokenOf(user.email);
    const before = await me(uncached, token);
    expect(before.status).toBe(200);

    await sessionsOf(uncached).revoke((before.body as { sessionId: string }).sessionId);

    expect(await me(uncached, token)).toMatchObject({
      status: 401,
      body: { code: 'auth.failure.session_inactive' },
    });
  });

  it('with the cache on, a revoke through SessionService evicts the cached session', async () => {
    const user = await createIdentity(kratosUrls(ory()).adminUrl);
    const token = await tokenOf(user.email);
    const first = await me(cached, token);
    expect(first.status).toBe(200);

    await sessionsOf(cached).revoke((first.body as { sessionId: string }).sessionId);

    expect(await me(cached, token)).toMatchObject({
      status: 401,
      body: { code: 'auth.failure.session_inactive' },
    });
  });

  it('with the cache on, a revoke elsewhere stays invisible until the entry expires (documented)', async () => {
    const { adminUrl } = kratosUrls(ory());
    const user = await createIdentity(adminUrl);
    const token = await tokenOf(user.email);
    const first = await me(cached, token);
    const sessionId = (first.body as { sessionId: string }).sessionId;

    // Another pod revokes: this pod's cache does not hear of it.
    await sessionsOf(uncached).revoke(sessionId);

    expect((await me(cached, token)).status).toBe(200);
    expect((await me(uncached, token)).status).toBe(401);
  });

  it('revokeAllForIdentity ends every session of the identity, cached or not', async () => {
    const user = await createIdentity(kratosUrls(ory()).adminUrl);
    const tokens = [await tokenOf(user.email), await tokenOf(user.email)];
    for (const token of tokens) expect((await me(cached, token)).status).toBe(200);

    await sessionsOf(cached).revokeAllForIdentity(user.id);

    for (const token of tokens) {
      expect((await me(cached, token)).status).toBe(401);
      expect((await me(uncached, token)).status).toBe(401);
    }
    await expect(sessionsOf(cached).revokeAllForIdentity(user.id)).resolves.toBeUndefined();
  });

  it('rejects the session of a deactivated identity', async () => {
    const { adminUrl } = kratosUrls(ory());
    const user = await createIdentity(adminUrl);
    const token = await tokenOf(user.email);
    expect((await me(uncached, token)).status).toBe(200);

    await deactivate(adminUrl, user.id);

    expect(await me(uncached, token)).toMatchObject({
      status: 401,
      body: { code: 'auth.failure.session_inactive' },
    });
  });

  it('whoami, list, extend and not-found through SessionService', async () => {
    const { publicUrl, adminUrl } = kratosUrls(ory());
    const user = await createIdentity(adminUrl, { metadataPublic: { roles: ['auditor'] } });
    const token = await tokenOf(user.email);
    const cookie = await loginBrowser(publicUrl, user.email, PASSWORD);
    const sessions = sessionsOf(uncached);

    const viaRequest = await request(`${uncached.url}/whoami`, {
      headers: { Cookie: `theme=dark; ${cookie}` },
    });
    expect(viaRequest).toMatchObject({ status: 200, body: { identityId: user.id } });
    expect(
      (await request(`${uncached.url}/whoami`, { headers: { Authorization: 'Bearer' } })).body,
    ).toMatchObject({ statusCode: 401, code: 'auth.failure.malformed' });

    const fromToken = await sessions.whoami({ token });
    const fromCookie = await sessions.whoami({ cookie: `theme=dark; ${cookie}` });
    expect(fromToken.identity).toMatchObject({ id: user.id, roles: ['auditor'], state: 'active' });
    expect(fromCookie.identity?.id).toBe(user.id);
    expect(fromCookie.id).not.toBe(fromToken.id);

    // Three sessions, pages of two: every session exactly once, and the paging ends.
    const third = await sessions.whoami({ token: await tokenOf(user.email) });
    const firstPage = await sessions.list(user.id, { pageSize: 2 });
    expect(firstPage.sessions).toHaveLength(2);
    const secondPage = await sessions.list(user.id, {
      pageSize: 2,
      pageToken: firstPage.nextPageToken,
    });
    expect(secondPage.sessions).toHaveLength(1);
    expect(secondPage.nextPageToken).toBeUndefined();
    const listed = [...firstPage.sessions, ...secondPage.sessions].map((session) => session.id);
    expect(listed.sort()).toEqual([fromToken.id, fromCookie.id, third.id].sort());

    const extended = await sessions.extend(fromToken.id);
    expect(extended.id).toBe(fromToken.id);
    expect(extended.expiresAt?.getTime()).toBeGreaterThanOrEqual(
      fromToken.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY,
    );

    await expect(sessions.revoke('00000000-0000-4000-8000-000000000000')).rejects.toBeInstanceOf(
      NotFoundException,
    );
    await expect(sessions.extend('not-a-uuid')).rejects.toMatchObject({
      status: 400,
      response: { code: 'request.invalid_id' },
    });
    await expect(sessions.list('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      status: 404,
      response: { code: 'identity.not_found' },
    });
  });
});
