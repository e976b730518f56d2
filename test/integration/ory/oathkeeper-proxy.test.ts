import { randomUUID } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EchoUpstream, startEchoUpstream } from '../../support/ory/echo-upstream.js';
import { loginBrowser, registerNative, setRoles } from '../../support/ory/kratos-flows.js';
import { useOryStack } from '../../support/ory/vitest.js';

const password = 'integration-Passw0rd-for-tests';

describe('Oathkeeper in front of an upstream (real servers, per-request claims template)', () => {
  let upstream: EchoUpstream;
  beforeAll(async () => {
    upstream = await startEchoUpstream();
  });
  afterAll(async () => {
    await upstream?.close();
  });
  const ory = useOryStack(() => ({
    keto: false,
    oathkeeper: {
      routes: { '/orders': upstream.url, '/auth': { upstream: upstream.url, access: 'anonymous' } },
      claimsTemplate: 'per-request',
    },
  }));
  const urls = () => {
    const { kratosPublic, kratosAdmin, oathkeeperProxy, jwksUrl, issuer } = ory().urls;
    if (!kratosPublic || !kratosAdmin || !oathkeeperProxy || !jwksUrl || !issuer) {
      throw new Error('the stack is missing a server');
    }
    return { kratosPublic, kratosAdmin, oathkeeperProxy, jwksUrl, issuer };
  };
  const through = async (path: string, headers: Record<string, string> = {}) => {
    const before = upstream.hits.length;
    const response = await fetch(`${urls().oathkeeperProxy}${path}`, { headers });
    await response.arrayBuffer();
    return { status: response.status, hit: upstream.hits[before] };
  };
  const bearerOf = (hit: { headers: Record<string, unknown> } | undefined) => {
    const header = hit?.headers.authorization;
    if (typeof header !== 'string' || !header.startsWith('Bearer ')) {
      throw new Error(`upstream got no Bearer token (authorization: ${String(header)})`);
    }
    return header.slice('Bearer '.length);
  };
  const newUser = async (roles: readonly string[]) => {
    const email = `${randomUUID()}@example.test`;
    const session = await registerNative(urls().kratosPublic, email, password);
    await setRoles(urls().kratosAdmin, session.identityId, roles);
    return { email, ...session };
  };

  it('forwards a session-token request with a signed id_token carrying identity and roles', async () => {
    const user = await newUser(['admin', 'seller']);

    const { status, hit } = await through('/orders/42?x=1', {
      Authorization: `Bearer ${user.sessionToken}`,
    });

    expect(status).toBe(200);
    expect(hit?.url).toBe('/orders/42?x=1');
    const { payload, protectedHeader } = await jwtVerify(
      bearerOf(hit),
      createRemoteJWKSet(new URL(urls().jwksUrl)),
      { issuer: urls().issuer, audience: 'orders-api', algorithms: ['RS256'] },
    );
    expect(protectedHeader.kid).toEqual(expect.any(String));
    expect(payload.sub).toBe(user.identityId);
    expect(payload.tenant).toBe('default');
    expect(payload.aud).toEqual(['orders-api', 'inventory-api']);
    expect(payload.metadataPublic).toEqual({ roles: ['admin', 'seller'] });
    expect(payload.jti).toEqual(expect.any(String));
    expect(payload.nbf).toBe(payload.iat);
    expect(Number(payload.exp) - Number(payload.iat)).toBe(60);
    expect(hit?.headers['x-user']).toBe(user.identityId);
  });

  it('accepts the browser session cookie too', async () => {
    const user = await newUser(['buyer']);
    const cookie = await loginBrowser(urls().kratosPublic, user.email, password);

    const { status, hit } = await through('/orders', { Cookie: cookie });

    expect(status).toBe(200);
    const claims = decodeJwt(bearerOf(hit));
    expect(claims.sub).toBe(user.identityId);
    expect(claims.metadataPublic).toEqual({ roles: ['buyer'] });
  });

  it('gives consecutive requests different jtis with a per-request value in the template', async () => {
    const user = await newUser([]);
    const headers = { Authorization: `Bearer ${user.sessionToken}` };

    const first = decodeJwt(bearerOf((await through('/orders', headers)).hit));
    const second = decodeJwt(bearerOf((await through('/orders', headers)).hit));

    expect(first.sub).toBe(second.sub);
    expect(first.jti).not.toBe(second.jti);
    expect(first.metadataPublic).toEqual({ roles: [] });
  });

  it('answers 401 for missing or bad credentials and 404 off the routes, never reaching the upstream', async () => {
    const before = upstream.hits.length;
    const rejected: Record<string, string>[] = [
      {},
      { Authorization: 'Bearer not-a-session' },
      { Cookie: 'ory_kratos_session=forged' },
    ];
    for (const headers of rejected) {
      expect((await through('/orders', headers)).status).toBe(401);
    }
    expect((await through('/ordersX')).status).toBe(404);
    expect(upstream.hits.length).toBe(before);
  });

  it('lets anonymous routes through and passes a client-sent X-User header untouched', async () => {
    const { status, hit } = await through('/auth/registration', { 'X-User': 'forged-admin' });

    expect(status).toBe(200);
    expect(hit?.headers.authorization).toBeUndefined();
    // The noop mutator sets nothing, so a spoofed identity header reaches the upstream.
    expect(hit?.headers['x-user']).toBe('forged-admin');
  });

  it('replaces a client-sent X-User on session routes', async () => {
    const user = await newUser([]);
    const { hit } = await through('/orders', {
      Authorization: `Bearer ${user.sessionToken}`,
      'X-User': 'forged-admin',
    });
    expect(hit?.headers['x-user']).toBe(user.identityId);
  });

  it('lets the first authenticator that finds its credential decide (cookie_session before bearer_token)', async () => {
    const alice = await newUser(['admin']);
    const aliceCookie = await loginBrowser(urls().kratosPublic, alice.email, password);
    const bob = await newUser([]);
    const subjectOf = async (headers: Record<string, string>) => {
      const { status, hit } = await through('/orders', headers);
      return status === 200 ? decodeJwt(bearerOf(hit)).sub : status;
    };

    expect(await subjectOf({ Cookie: aliceCookie, Authorization: 'Bearer not-a-session' })).toBe(
      alice.identityId,
    );
    expect(
      await subjectOf({ Cookie: aliceCookie, Authorization: `Bearer ${bob.sessionToken}` }),
    ).toBe(alice.identityId);
    // An invalid session cookie ends it with 401; the valid bearer token is never tried.
    expect(
      await subjectOf({
        Cookie: 'ory_kratos_session=forged',
        Authorization: `Bearer ${bob.sessionToken}`,
      }),
    ).toBe(401);
    // Other cookies do not count (`only: [ory_kratos_session]`).
    expect(
      await subjectOf({ Cookie: 'theme=dark', Authorization: `Bearer ${bob.sessionToken}` }),
    ).toBe(bob.identityId);
    // bearer_token reads Authorization only.
    expect(await subjectOf({ 'X-Session-Token': bob.sessionToken })).toBe(401);
  });

  it('refuses an anonymous-only route when the request carries an Authorization header', async () => {
    const user = await newUser([]);
    // The anonymous authenticator steps aside for any Authorization header, and nothing else is left.
    expect(
      (await through('/auth/registration', { Authorization: `Bearer ${user.sessionToken}` }))
        .status,
    ).toBe(401);
    expect(
      (await through('/auth/registration', { Authorization: 'Basic Zm9vOmJhcg==' })).status,
    ).toBe(401);
  });

  it('answers the decision API with 200, no body and the mutated headers', async () => {
    const user = await newUser(['admin']);
    const host = new URL(urls().oathkeeperProxy).host;
    const decide = (path: string, headers: Record<string, string>) =>
      fetch(`${ory().urls.oathkeeperApi}/decisions${path}`, {
        method: 'POST',
        headers: {
          'X-Forwarded-Method': 'GET',
          'X-Forwarded-Proto': 'http',
          'X-Forwarded-Host': host,
          ...headers,
        },
      });

    const allowed = await decide('/orders/7', { Authorization: `Bearer ${user.sessionToken}` });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toBe('');
    expect(allowed.headers.get('x-user')).toBe(user.identityId);
    const jwt = allowed.headers.get('authorization')?.replace(/^Bearer /, '') ?? '';
    expect(decodeJwt(jwt).sub).toBe(user.identityId);

    expect((await decide('/orders/7', {})).status).toBe(401);
    expect(
      (await decide('/elsewhere', { Authorization: `Bearer ${user.sessionToken}` })).status,
    ).toBe(404);
  });
});
