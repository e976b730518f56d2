/**
 * The JWT transport around the verifier: the size cap comes before any work on the token, and with
 * replay protection off the verified-token cache serves a resent token until its exp plus skew,
 * never longer, and never a token that failed.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ValidatedTenantConfig } from '../../../src/config/tenant-config.js';
import { OathkeeperJwtVerifier } from '../../../src/jwt/oathkeeper-jwt-verifier.js';
import { VerifiedTokenCache } from '../../../src/jwt/verified-token-cache.js';
import { HttpIamRequest } from '../../../src/request/http-request.js';
import { OathkeeperJwtTransport } from '../../../src/transport/oathkeeper-jwt-transport.js';
import { expectCode } from './codes.js';
import { AUDIENCE, jwtTenant, SpyReplayCache, useWarmKeys } from './verifier-fixtures.js';

const SKEW_S = 30;
const warm = useWarmKeys();
let clockMs: number;
let replay: SpyReplayCache;

beforeEach(() => {
  clockMs = Math.floor(Date.now() / 1_000) * 1_000;
  replay = new SpyReplayCache();
});
afterEach(() => {
  vi.restoreAllMocks();
});

function transportFor(oathkeeper: Record<string, unknown>): {
  transport: OathkeeperJwtTransport;
  verifier: OathkeeperJwtVerifier;
} {
  const { jwks, keys } = warm();
  const tenant: ValidatedTenantConfig = jwtTenant(jwks.url, oathkeeper);
  const config = tenant.oathkeeper;
  if (config === undefined) throw new Error('no oathkeeper config');
  const verifier = new OathkeeperJwtVerifier(tenant, config, keys, replay, () => clockMs);
  return {
    transport: new OathkeeperJwtTransport(tenant, config, keys, verifier, () => clockMs),
    verifier,
  };
}

const nowS = () => clockMs / 1_000;
const mint = (claims: Record<string, unknown> = {}) =>
  warm().signer.mint({
    aud: AUDIENCE,
    tenant: 'default',
    iat: nowS(),
    nbf: nowS(),
    exp: nowS() + 60,
    ...claims,
  });
const request = (token: string) => new HttpIamRequest({ headers: { 'x-user': token } });

describe('OathkeeperJwtTransport: size cap', () => {
  it.each([true, false])(
    'refuses a token above maxTokenBytes before any cache lookup or parse (replay %s)',
    async (enabled) => {
      const { transport, verifier } = transportFor({
        replayProtection: { enabled },
        maxTokenBytes: 1_024,
      });
      const lookup = vi.spyOn(VerifiedTokenCache.prototype, 'get');
      const verify = vi.spyOn(verifier, 'verifyNow');
      const oversized = mint({ pad: 'x'.repeat(2_000) });
      const error = await expectCode(
        () => transport.authenticate(request(oversized)),
        'auth.failure.malformed',
      );
      expect(error.message).toContain('larger than allowed');
      expect(lookup).not.toHaveBeenCalled();
      expect(verify).not.toHaveBeenCalled();
      // A token at the cap is still accepted.
      const fits = mint();
      const capped = transportFor({ replayProtection: { enabled }, maxTokenBytes: fits.length });
      expect(await capped.transport.authenticate(request(`Bearer ${fits}`))).toBeDefined();
    },
  );
});

describe('OathkeeperJwtTransport: one token in the header', () => {
  // The transport does not scan for whitespace itself: the compact-JWS parse refuses any character
  // outside base64url and the dots. Each of these is refused, also right after the same token
  // without the whitespace was accepted (and, with replay off, cached).
  it.each([true, false])(
    'refuses whitespace anywhere and an empty token (replay %s)',
    async (enabled) => {
      const { transport } = transportFor({ replayProtection: { enabled } });
      const token = mint();
      const [header = '', payload = '', signature = ''] = token.split('.');
      expect(await transport.authenticate(request(`Bearer ${token}`))).toBeDefined();
      const refused = [
        `Bearer ${token} `,
        `Bearer ${token}\t`,
        `Bearer ${token}\n`,
        `Bearer ${token}\u00a0`,
        `Bearer ${token} ${token}`,
        `${header}.${payload} .${signature}`,
        `${header}\u2028.${payload}.${signature}`,
        `Bearer\t${token}`,
        'Bearer ',
        '',
      ];
      for (const value of refused) {
        await expectCode(() => transport.authenticate(request(value)), 'auth.failure.malformed');
        expect(() => transport.authenticateNow(request(value))).toThrow('malformed');
      }
    },
  );
});

describe('OathkeeperJwtTransport: verified-token cache (replay protection off)', () => {
  it('verifies a resent token once and serves it from the cache until exp plus skew', async () => {
    const { transport, verifier } = transportFor({ replayProtection: { enabled: false } });
    const verify = vi.spyOn(verifier, 'verifyNow');
    const token = mint({ sub: 'alice' });
    for (let i = 0; i < 5; i += 1) {
      expect(await transport.authenticate(request(token))).toMatchObject({ id: 'alice' });
    }
    expect(verify).toHaveBeenCalledTimes(1);

    clockMs = (nowS() + 60 + SKEW_S) * 1_000 - 1;
    expect(await transport.authenticate(request(token))).toMatchObject({ id: 'alice' });
    expect(verify).toHaveBeenCalledTimes(1);
    clockMs += 1;
    await expectCode(() => transport.authenticate(request(token)), 'auth.failure.expired');
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('never caches a token that failed', async () => {
    const { transport, verifier } = transportFor({ replayProtection: { enabled: false } });
    const verify = vi.spyOn(verifier, 'verifyNow');
    const wrongAudience = mint({ aud: 'other' });
    for (let i = 0; i < 3; i += 1) {
      await expectCode(
        () => transport.authenticate(request(wrongAudience)),
        'auth.failure.audience_mismatch',
      );
    }
    expect(verify).toHaveBeenCalledTimes(3);
  });

  it('serves only the very token it verified: one ending like it (a copied signature) is verified in full', async () => {
    const { transport, verifier } = transportFor({ replayProtection: { enabled: false } });
    const verify = vi.spyOn(verifier, 'verifyNow');
    const token = mint({ sub: 'alice' });
    expect(await transport.authenticate(request(token))).toMatchObject({ id: 'alice' });
    const signature = token.slice(token.lastIndexOf('.'));
    const forged = mint({ sub: 'mallory' }).replace(/\.[^.]+$/, signature);
    await expectCode(
      () => transport.authenticate(request(forged)),
      'auth.failure.invalid_signature',
    );
    expect(verify).toHaveBeenCalledTimes(2);
    expect(await transport.authenticate(request(token))).toMatchObject({ id: 'alice' });
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('is not used with replay protection on: every use goes through the replay check', async () => {
    const { transport } = transportFor({ replayProtection: { enabled: true } });
    const token = mint();
    await transport.authenticate(request(token));
    await expectCode(() => transport.authenticate(request(token)), 'auth.failure.replay');
    expect(replay.calls).toHaveLength(2);
  });
});

describe('OathkeeperJwtTransport: identities are deeply immutable', () => {
  it('a handler cannot change what the next request with the same cached token sees', async () => {
    const { transport } = transportFor({ replayProtection: { enabled: false } });
    const token = mint({
      sub: 'alice',
      metadataPublic: { roles: ['viewer'], profile: { plan: 'free' } },
    });
    const first = await transport.authenticate(request(token));
    const metadata = first?.metadataPublic as
      | { roles: string[]; profile: Record<string, unknown> }
      | undefined;
    if (first === undefined || metadata === undefined) throw new Error('no identity metadata');

    const attempts: (() => unknown)[] = [
      () => metadata.roles.push('admin'),
      () => {
        metadata.profile.plan = 'enterprise';
      },
      () => {
        (first.claims as Record<string, unknown>).sub = 'mallory';
      },
      () => (first.roles as string[]).push('admin'),
    ];
    for (const attempt of attempts) expect(attempt).toThrow(TypeError);

    const next = await transport.authenticate(request(token));
    expect(next).toBe(first);
    expect(next).toMatchObject({
      id: 'alice',
      roles: ['viewer'],
      metadataPublic: { roles: ['viewer'], profile: { plan: 'free' } },
      claims: { sub: 'alice' },
    });
  });
});

describe('OathkeeperJwtTransport: CSRF behind a cookie_session authenticator', () => {
  const crossSite = (token: string, method = 'POST') =>
    new HttpIamRequest({
      method,
      url: '/orders',
      headers: {
        'x-user': token,
        host: 'api.example.com',
        origin: 'https://evil.test',
        'sec-fetch-site': 'cross-site',
      },
    });

  it('is off by default: the token decides', async () => {
    const { transport } = transportFor({ replayProtection: { enabled: false } });
    await expect(transport.authenticate(crossSite(mint({ sub: 'alice' })))).resolves.toMatchObject({
      id: 'alice',
    });
  });

  it('when on, refuses a cross-site unsafe request before verifying or claiming the token', async () => {
    const { transport, verifier } = transportFor({
      replayProtection: { enabled: true },
      csrf: { enabled: true, trustedOrigins: ['https://app.example.com'] },
    });
    const verify = vi.spyOn(verifier, 'verifyNow');
    await expectCode(
      () => transport.authenticate(crossSite(mint({ sub: 'alice', jti: 'j-1' }))),
      'auth.csrf.origin_mismatch',
    );
    expect(verify).not.toHaveBeenCalled();
    await expect(
      transport.authenticate(crossSite(mint({ sub: 'alice', jti: 'j-2' }), 'GET')),
    ).resolves.toMatchObject({ id: 'alice' });
  });
});
