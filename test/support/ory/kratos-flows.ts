/** Kratos self-service flows the way a native app and a browser drive them, over plain fetch. */

/** What a successful native registration or login returns. */
export interface NativeSession {
  readonly sessionToken: string;
  readonly identityId: string;
}

interface Flow {
  id: string;
  ui: { nodes: Array<{ attributes: { name?: string; value?: unknown } }> };
}

async function json<T>(response: Response, expected: number, what: string): Promise<T> {
  const text = await response.text();
  if (response.status !== expected) {
    throw new Error(
      `${what}: expected ${expected}, got ${response.status}: ${text.slice(0, 2_000)}`,
    );
  }
  return JSON.parse(text) as T;
}

async function nativeFlow(
  kratosPublic: string,
  kind: 'registration' | 'login',
  body: Record<string, unknown>,
): Promise<NativeSession> {
  const flow = await json<Flow>(
    await fetch(`${kratosPublic}/self-service/${kind}/api`),
    200,
    `create native ${kind} flow`,
  );
  const result = await json<{ session_token?: string; session?: { identity?: { id?: string } } }>(
    await fetch(`${kratosPublic}/self-service/${kind}?flow=${flow.id}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ method: 'password', ...body }),
    }),
    200,
    `submit native ${kind} flow`,
  );
  const identityId = result.session?.identity?.id;
  if (result.session_token === undefined || identityId === undefined) {
    throw new Error(`native ${kind} returned no session_token (is the session hook configured?)`);
  }
  return { sessionToken: result.session_token, identityId };
}

/** Native (API) registration with email and password; returns the session token. */
export function registerNative(
  kratosPublic: string,
  email: string,
  password: string,
): Promise<NativeSession> {
  return nativeFlow(kratosPublic, 'registration', { traits: { email }, password });
}

/** Native (API) login; returns a new session token. */
export function loginNative(
  kratosPublic: string,
  email: string,
  password: string,
): Promise<NativeSession> {
  return nativeFlow(kratosPublic, 'login', { identifier: email, password });
}

function cookiePairs(response: Response): string[] {
  return response.headers.getSetCookie().map((cookie) => cookie.split(';')[0] ?? '');
}

/**
 * Browser login as a SPA does it (`Accept: application/json`, CSRF cookie plus token).
 * Returns the `ory_kratos_session=<value>` pair, ready for a Cookie header.
 */
export async function loginBrowser(
  kratosPublic: string,
  email: string,
  password: string,
): Promise<string> {
  const created = await fetch(`${kratosPublic}/self-service/login/browser`, {
    headers: { Accept: 'application/json' },
  });
  const csrfCookies = cookiePairs(created);
  const flow = await json<Flow>(created, 200, 'create browser login flow');
  const csrfToken = flow.ui.nodes.find((node) => node.attributes.name === 'csrf_token')?.attributes
    .value;
  if (typeof csrfToken !== 'string') throw new Error('browser login flow carries no csrf_token');
  const submitted = await fetch(`${kratosPublic}/self-service/login?flow=${flow.id}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      Cookie: csrfCookies.join('; '),
    },
    body: JSON.stringify({
      method: 'password',
      identifier: email,
      password,
      csrf_token: csrfToken,
    }),
  });
  await json<unknown>(submitted, 200, 'submit browser login flow');
  const session = cookiePairs(submitted).find((pair) => pair.startsWith('ory_kratos_session='));
  if (session === undefined) throw new Error('browser login set no ory_kratos_session cookie');
  return session;
}

/** Sets `metadata_public.roles` through the admin API, as an operator would. */
export async function setRoles(
  kratosAdmin: string,
  identityId: string,
  roles: readonly string[],
): Promise<void> {
  await json<unknown>(
    await fetch(`${kratosAdmin}/admin/identities/${identityId}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify([{ op: 'add', path: '/metadata_public', value: { roles } }]),
    }),
    200,
    'patch metadata_public',
  );
}
