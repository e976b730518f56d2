import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loginBrowser, loginNative, registerNative } from '../../support/ory/kratos-flows.js';
import { useOryStack } from '../../support/ory/vitest.js';

const password = 'integration-Passw0rd-for-tests';

interface WhoAmI {
  identity: { id: string; traits: { email: string } };
  active: boolean;
}

describe('Kratos sessions (real server)', () => {
  const ory = useOryStack({ keto: false });
  const kratos = () => {
    const url = ory().urls.kratosPublic;
    if (url === undefined) throw new Error('Kratos is not running');
    return url;
  };
  const whoami = (headers: Record<string, string>) =>
    fetch(`${kratos()}/sessions/whoami`, { headers });

  it('returns a session token from native registration that whoami accepts', async () => {
    const email = `${randomUUID()}@example.test`;
    const registered = await registerNative(kratos(), email, password);

    const response = await whoami({ 'X-Session-Token': registered.sessionToken });

    expect(response.status).toBe(200);
    const session = (await response.json()) as WhoAmI;
    expect(session.active).toBe(true);
    expect(session.identity.id).toBe(registered.identityId);
    expect(session.identity.traits.email).toBe(email);
  });

  it('accepts a native login token as X-Session-Token and as Authorization: Bearer', async () => {
    const email = `${randomUUID()}@example.test`;
    const registered = await registerNative(kratos(), email, password);
    const login = await loginNative(kratos(), email, password);

    expect(login.identityId).toBe(registered.identityId);
    expect(login.sessionToken).not.toBe(registered.sessionToken);
    const accepted: Record<string, string>[] = [
      { 'X-Session-Token': login.sessionToken },
      { Authorization: `Bearer ${login.sessionToken}` },
    ];
    for (const headers of accepted) {
      const response = await whoami(headers);
      expect(response.status).toBe(200);
      expect(((await response.json()) as WhoAmI).identity.id).toBe(registered.identityId);
    }
  });

  it('accepts the session cookie of a browser login', async () => {
    const email = `${randomUUID()}@example.test`;
    const registered = await registerNative(kratos(), email, password);
    const cookie = await loginBrowser(kratos(), email, password);

    const response = await whoami({ Cookie: `theme=dark; ${cookie}` });

    expect(response.status).toBe(200);
    expect(((await response.json()) as WhoAmI).identity.id).toBe(registered.identityId);
  });

  it('answers 401 with an error body for a missing or unknown session', async () => {
    const rejected: Record<string, string>[] = [
      {},
      { 'X-Session-Token': 'not-a-session' },
      { Cookie: 'ory_kratos_session=forged' },
    ];
    for (const headers of rejected) {
      const response = await whoami(headers);
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: { code: number } }).error.code).toBe(401);
    }
  });

  it('rejects a password that resembles the email (identifier similarity check)', async () => {
    const email = `similar${randomUUID().slice(0, 8)}@example.test`;
    await expect(registerNative(kratos(), email, email)).rejects.toThrow(/expected 200, got 400/);
  });

  it('reads X-Session-Token, then the session cookie, then Authorization, without falling back', async () => {
    const alice = await registerNative(kratos(), `${randomUUID()}@example.test`, password);
    const bobEmail = `${randomUUID()}@example.test`;
    const bob = await registerNative(kratos(), bobEmail, password);
    const bobCookie = await loginBrowser(kratos(), bobEmail, password);
    const identityOf = async (headers: Record<string, string>) => {
      const response = await whoami(headers);
      return response.status === 200
        ? ((await response.json()) as WhoAmI).identity.id
        : response.status;
    };

    expect(await identityOf({ 'X-Session-Token': alice.sessionToken, Cookie: bobCookie })).toBe(
      alice.identityId,
    );
    expect(
      await identityOf({ Cookie: bobCookie, Authorization: `Bearer ${alice.sessionToken}` }),
    ).toBe(bob.identityId);
    expect(
      await identityOf({
        'X-Session-Token': bob.sessionToken,
        Authorization: `Bearer ${alice.sessionToken}`,
      }),
    ).toBe(bob.identityId);
    // The first credential present decides, even when it is invalid and a later one is valid.
    expect(await identityOf({ 'X-Session-Token': 'not-a-session', Cookie: bobCookie })).toBe(401);
  });

  it('answers 500 when a valid token comes with an undecodable session cookie', async () => {
    const alice = await registerNative(kratos(), `${randomUUID()}@example.test`, password);
    // Kratos tries to re-issue the cookie and fails: forward one credential, never both.
    const response = await whoami({
      'X-Session-Token': alice.sessionToken,
      Cookie: 'ory_kratos_session=forged',
    });
    expect(response.status).toBe(500);
  });
});
