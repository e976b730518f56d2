import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantConfig } from '../../../src/index.js';
import { PLATFORMS, request } from '../../support/nest-app.js';
import { loginBrowser, loginNative } from '../../support/ory/kratos-flows.js';
import { RecordingProxy } from '../../support/recording-proxy.js';
import {
  createIdentity,
  type IamApp,
  kratosUrls,
  PASSWORD,
  startIamApp,
  type TestUser,
  useKratosStack,
} from './support.js';

interface Credentials {
  readonly user: TestUser;
  /** `ory_kratos_session=<value>` from a browser login. */
  readonly cookie: string;
  /** Session token from a native login. */
  readonly token: string;
}

describe.each(PLATFORMS)('Kratos transports against the real Kratos on %s', (platform) => {
  const ory = useKratosStack();
  const apps = new Map<TenantConfig['transport'], IamApp>();
  let editor: Credentials;
  let admin: Credentials;

  const login = async (user: TestUser): Promise<Credentials> => {
    const { publicUrl } = kratosUrls(ory());
    return {
      user,
      cookie: await loginBrowser(publicUrl, user.email, PASSWORD),
      token: (await loginNative(publicUrl, user.email, PASSWORD)).sessionToken,
    };
  };
  const appFor = (transport: TenantConfig['transport']) => {
    const app = apps.get(transport);
    if (app === undefined) throw new Error(`no app for ${transport}`);
    return app;
  };
  const get = (
    transport: TenantConfig['transport'],
    path: string,
    headers: Record<string, string>,
  ) => request(`${appFor(transport).url}${path}`, { headers });

  beforeAll(async () => {
    const { adminUrl, publicUrl } = kratosUrls(ory());
    // The traits claim admin; only metadata_public (set by an operator) counts.
    editor = await login(
      await createIdentity(adminUrl, {
        traits: { roles: ['admin'] },
        metadataPublic: { roles: ['editor'] },
      }),
    );
    admin = await login(await createIdentity(adminUrl, { metadataPublic: { roles: ['admin'] } }));
    for (const transport of ['cookie', 'bearer', 'cookie-or-bearer'] as const) {
      apps.set(transport, await startIamApp(platform, { transport, kratos: { publicUrl } }));
    }
  });
  afterAll(async () => {
    await Promise.all([...apps.values()].map((app) => app.close()));
  });

  it('cookie: accepts a browser session cookie among other cookies', async () => {
    const response = await get('cookie', '/me', {
      Cookie: `theme=dark; ${editor.cookie}; lang=en`,
    });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      id: editor.user.id,
      tenant: 'default',
      roles: ['editor'],
      traits: { email: editor.user.email, roles: ['admin'] },
      metadataPublic: { roles: ['editor'] },
      sessionId: expect.any(String),
      aal: 'aal1',
      via: 'kratos-cookie',
    });
  });

  it('bearer: accepts a native session token as Authorization: Bearer and as X-Session-Token', async () => {
    const variants: Record<string, string>[] = [
      { Authorization: `Bearer ${editor.token}` },
      { 'X-Session-Token': editor.token },
    ];
    for (const headers of variants) {
      const response = await get('bearer', '/me', headers);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ id: editor.user.id, via: 'kratos-bearer' });
    }
  });

  it('cookie-or-bearer: accepts either', async () => {
    expect((await get('cookie-or-bearer', '/me', { Cookie: editor.cookie })).body).toMatchObject({
      id: editor.user.id,
      via: 'kratos-cookie',
    });
    expect(
      (await get('cookie-or-bearer', '/me', { Authorization: `Bearer ${admin.token}` })).body,
    ).toMatchObject({ id: admin.user.id, via: 'kratos-bearer' });
  });

  it('takes roles from metadata_public and never from traits', async () => {
    expect((await get('bearer', '/admin', { 'X-Session-Token': editor.token })).body).toEqual({
      statusCode: 403,
      code: 'authz.role.deny',
      message: expect.any(String),
    });
    expect(await get('bearer', '/admin', { 'X-Session-Token': admin.token })).toMatchObject({
      status: 200,
      body: { ok: true },
    });
  });

  it.each([
    [
      'cookie',
      { Cookie: 'ory_kratos_session=MTcwMDAwMDAwMHxmb3JnZWQ=' },
      'auth.failure.session_inactive',
    ],
    [
      'bearer',
      { Authorization: 'Bearer ory_st_forgedforgedforgedforged' },
      'auth.failure.session_inactive',
    ],
    ['bearer', { 'X-Session-Token': 'garbage' }, 'auth.failure.session_inactive'],
    ['cookie-or-bearer', { Cookie: 'ory_kratos_session=garbage' }, 'auth.failure.session_inactive'],
    ['bearer', { Authorization: 'Bearer not a token' }, 'auth.failure.malformed'],
    ['cookie', { Cookie: 'ory_kratos_session=a%0D%0Ab' }, 'auth.failure.malformed'],
    ['cookie', { Cookie: 'theme=dark' }, 'auth.failure.missing_credentials'],
    [
      'cookie',
      { Authorization: 'Bearer ory_st_forgedforgedforgedforged' },
      'auth.failure.missing_credentials',
    ],
    ['bearer', { Cookie: 'ory_kratos_session=garbage' }, 'auth.failure.missing_credentials'],
  ] as const)('%s: rejects %j with 401 %s', async (transport, headers, code) => {
    expect(await get(transport, '/me', headers)).toMatchObject({
      status: 401,
      body: { statusCode: 401, code },
    });
  });

  it('cookie: forwards only the session cookie, never the whole Cookie header', async () => {
    const { publicUrl } = kratosUrls(ory());
    const proxy = new RecordingProxy(publicUrl);
    await proxy.start();
    const app = await startIamApp(platform, {
      transport: 'cookie',
      kratos: { publicUrl: proxy.url },
    });
    try {
      const response = await request(`${app.url}/me`, {
        headers: { Cookie: `theme=dark; ${editor.cookie}; csrf_token_abc=secret-csrf` },
      });

      expect(response.status).toBe(200);
      expect(proxy.seen.map((call) => call.headers.cookie)).toEqual([editor.cookie]);
    } finally {
      await app.close();
      await proxy.stop();
    }
  });

  it('cookie with the session cache: concurrent misses of one session share one Kratos check', async () => {
    const { publicUrl } = kratosUrls(ory());
    const proxy = new RecordingProxy(publicUrl);
    await proxy.start();
    const app = await startIamApp(platform, {
      transport: 'cookie',
      kratos: { publicUrl: proxy.url, sessionCache: { enabled: true } },
    });
    try {
      const sendAll = (cookies: readonly string[]) =>
        Promise.all(
          cookies.map((cookie) => request(`${app.url}/me`, { headers: { Cookie: cookie } })),
        );
      const answers = await sendAll([
        ...Array(5).fill(editor.cookie),
        ...Array(5).fill(admin.cookie),
      ]);

      expect(answers.map((answer) => [answer.status, (answer.body as { id: string }).id])).toEqual([
        ...Array(5).fill([200, editor.user.id]),
        ...Array(5).fill([200, admin.user.id]),
      ]);
      // One check per session, not one per request in flight.
      expect(proxy.calls('/sessions/whoami')).toHaveLength(2);
      await sendAll([editor.cookie, admin.cookie]);
      expect(proxy.calls('/sessions/whoami')).toHaveLength(2);
    } finally {
      await app.close();
      await proxy.stop();
    }
  });

  it('cookie-or-bearer: sends the token alone, so a bad cookie next to it changes nothing', async () => {
    // Kratos answers 500 when a valid token arrives with an undecodable session cookie.
    const response = await get('cookie-or-bearer', '/me', {
      'X-Session-Token': admin.token,
      Cookie: 'ory_kratos_session=forged',
    });

    expect(response).toMatchObject({
      status: 200,
      body: { id: admin.user.id, via: 'kratos-bearer' },
    });
  });

  it.each([
    ['a page of the same origin', { 'Sec-Fetch-Site': 'same-origin' }, 201],
    ['a client that is not a browser', {}, 201],
    [
      'a page on another site',
      { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.test' },
      403,
    ],
    ['an older browser on another site', { Origin: 'https://evil.test' }, 403],
  ])('cookie: a POST from %s with the session cookie gets %i', async (_from, headers, status) => {
    const response = await request(`${appFor('cookie').url}/me`, {
      method: 'POST',
      headers: { Cookie: admin.cookie, ...headers },
    });
    expect(response.status).toBe(status);
    if (status === 403) expect(response.body).toMatchObject({ code: 'auth.csrf.origin_mismatch' });
  });

  it('cookie-or-bearer: a cross-site POST with a session token is not a CSRF', async () => {
    const response = await request(`${appFor('cookie-or-bearer').url}/me`, {
      method: 'POST',
      headers: {
        'X-Session-Token': admin.token,
        Cookie: admin.cookie,
        'Sec-Fetch-Site': 'cross-site',
        Origin: 'https://evil.test',
      },
    });
    expect(response).toMatchObject({ status: 201, body: { changed: admin.user.id } });
  });
});
