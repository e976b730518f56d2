import { randomUUID } from 'node:crypto';
import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  type JSONWebKeySet,
  jwtVerify,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EchoUpstream, startEchoUpstream } from '../../support/ory/echo-upstream.js';
import { registerNative } from '../../support/ory/kratos-flows.js';
import { useOryStack } from '../../support/ory/vitest.js';

describe('Oathkeeper id_token cache and signing keys (real servers, cached claims template)', () => {
  let upstream: EchoUpstream;
  beforeAll(async () => {
    upstream = await startEchoUpstream();
  });
  afterAll(async () => {
    await upstream?.close();
  });
  const ory = useOryStack(() => ({
    keto: false,
    oathkeeper: { routes: { '/orders': upstream.url }, claimsTemplate: 'cached' },
  }));
  const urls = () => {
    const { kratosPublic, oathkeeperProxy, jwksUrl, issuer } = ory().urls;
    if (!kratosPublic || !oathkeeperProxy || !jwksUrl || !issuer) throw new Error('missing server');
    return { kratosPublic, oathkeeperProxy, jwksUrl, issuer };
  };
  const tokenFor = async (sessionToken: string) => {
    const before = upstream.hits.length;
    const response = await fetch(`${urls().oathkeeperProxy}/orders`, {
      headers: { Authorization: `Bearer ${sessionToken}` },
    });
    expect(response.status).toBe(200);
    const header = upstream.hits[before]?.headers.authorization;
    if (typeof header !== 'string') throw new Error('upstream got no Authorization header');
    return header.replace(/^Bearer /, '');
  };
  const servedJwks = async () => {
    const response = await fetch(urls().jwksUrl);
    expect(response.status).toBe(200);
    return (await response.json()) as JSONWebKeySet;
  };
  const newSession = async () =>
    (
      await registerNative(
        urls().kratosPublic,
        `${randomUUID()}@example.test`,
        'integration-Passw0rd',
      )
    ).sessionToken;

  it('reuses the same token (same jti) when the rendered claims do not change', async () => {
    const session = await newSession();
    const first = await tokenFor(session);
    const second = await tokenFor(session);
    const third = await tokenFor(session);

    // Oathkeeper's token cache: same issuer, ttl, JWKS, rendered claims and subject.
    expect(second).toBe(first);
    expect(third).toBe(first);
    expect(decodeJwt(second).jti).toBe(decodeJwt(first).jti);
  });

  it('still signs a separate token per subject', async () => {
    const one = decodeJwt(await tokenFor(await newSession()));
    const other = decodeJwt(await tokenFor(await newSession()));
    expect(one.sub).not.toBe(other.sub);
    expect(one.jti).not.toBe(other.jti);
  });

  it('serves only public keys, with kid, alg and use', async () => {
    const { keys } = await servedJwks();
    expect(keys).toHaveLength(1);
    for (const key of keys) {
      expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) });
      for (const privatePart of ['d', 'p', 'q', 'dp', 'dq', 'qi']) {
        expect(key).not.toHaveProperty(privatePart);
      }
    }
  });

  it('publishes added keys after a restart and signs with the last private key of the set', async () => {
    const session = await newSession();
    const [original] = (await servedJwks()).keys;
    expect(decodeProtectedHeader(await tokenFor(session)).kid).toBe(original?.kid);

    const standby = await ory().addSigningKey({ signing: false });
    expect((await servedJwks()).keys.map((key) => key.kid)).toEqual([original?.kid]);
    await ory().restart('oathkeeper');
    expect((await servedJwks()).keys.map((key) => key.kid)).toEqual([standby, original?.kid]);
    expect(decodeProtectedHeader(await tokenFor(session)).kid).toBe(original?.kid);

    const next = await ory().addSigningKey({ signing: true });
    await ory().restart('oathkeeper');
    const served = await servedJwks();
    expect(served.keys.map((key) => key.kid)).toEqual([standby, original?.kid, next]);
    const token = await tokenFor(session);
    expect(decodeProtectedHeader(token).kid).toBe(next);
    const { payload } = await jwtVerify(token, createLocalJWKSet(served), {
      issuer: urls().issuer,
      audience: 'inventory-api',
    });
    expect(payload.tenant).toBe('default');
  });

  it('serves routes replaced while it runs', async () => {
    const session = await newSession();
    const inventory = () =>
      fetch(`${urls().oathkeeperProxy}/inventory/1`, {
        headers: { Authorization: `Bearer ${session}` },
      });
    expect((await inventory()).status).toBe(404);

    await ory().setRoutes({ '/orders': upstream.url, '/inventory': upstream.url });

    expect((await inventory()).status).toBe(200);
    expect(upstream.hits.at(-1)?.url).toBe('/inventory/1');
  });
});
