/**
 * Oathkeeper JWTs through real Nest apps on Express and Fastify, with the test signer's JWKS served
 * on loopback: every code of the SPEC's verification order over HTTP, key rotation, JWKS outages
 * and the concurrency promises (one JWKS fetch, one use per jti).
 */
import { Controller, Get } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CurrentUser, type IamIdentity, IamModule } from '../../../src/index.js';
import { type TestJwksServer, TestSigner } from '../../../src/testing/index.js';
import {
  firstAnswerWith,
  type JsonResponse,
  PLATFORMS,
  type RunningApp,
  request,
  startApp,
} from '../../support/nest-app.js';

const ISSUER = 'https://oathkeeper.test/';
const AUDIENCE = 'orders-api';

@Controller('orders')
class OrdersController {
  @Get()
  list(@CurrentUser() user: IamIdentity) {
    return { user: user.id, roles: user.roles };
  }
}

function iamModule(jwksUrl: string, options: { replay?: boolean; cooldownMs?: number } = {}) {
  return IamModule.forRoot({
    tenants: {
      default: {
        mode: 'self-hosted',
        transport: 'oathkeeper',
        oathkeeper: {
          verifier: 'jwt',
          jwks: { url: jwksUrl, cooldownMs: options.cooldownMs ?? 30_000 },
          issuer: ISSUER,
          audience: AUDIENCE,
          replayProtection: { enabled: options.replay ?? true },
          identityHeader: 'Authorization',
        },
      },
    },
  });
}

/** Claims Oathkeeper's shipped claims template produces, for this service. */
const valid = (claims: Record<string, unknown> = {}) => ({
  iss: ISSUER,
  aud: [AUDIENCE, 'inventory-api'],
  tenant: 'default',
  metadataPublic: { roles: ['orders:reader'] },
  ...claims,
});

const now = () => Math.floor(Date.now() / 1_000);

function expectRefused(response: JsonResponse, status: number, code: string): void {
  expect({ status: response.status, code: (response.body as { code?: unknown })?.code }).toEqual({
    status,
    code,
  });
  expect(JSON.stringify(response.body)).not.toMatch(/eyJ|stack/);
}

describe.each(PLATFORMS)('Oathkeeper JWTs on a real %s app', (platform) => {
  let signer: TestSigner;
  let jwks: TestJwksServer;
  let app: RunningApp;
  const get = (authorization?: string) =>
    request(`${app.url}/orders`, {
      headers: authorization === undefined ? {} : { Authorization: authorization },
    });

  beforeAll(async () => {
    signer = TestSigner.create();
    jwks = await signer.serve();
    app = await startApp(
      { imports: [iamModule(jwks.url, { cooldownMs: 1 })], controllers: [OrdersController] },
      platform,
    );
  });
  afterEach(() => {
    jwks.setAvailable(true);
  });
  afterAll(async () => {
    await app?.close();
    await jwks?.close();
  });

  it('accepts a valid token, with or without the Bearer prefix in any case', async () => {
    for (const prefix of ['Bearer ', 'bearer ', 'BEARER ', '']) {
      const response = await get(`${prefix}${signer.mint(valid({ sub: 'alice' }))}`);
      expect(response).toMatchObject({
        status: 200,
        body: { user: 'alice', roles: ['orders:reader'] },
      });
    }
  });

  it.each([
    ['no Authorization header', () => undefined, 'auth.failure.missing_credentials'],
    ['two segments', () => 'Bearer a.b', 'auth.failure.malformed'],
    ['padding in a segment', (token: string) => `Bearer ${token}=`, 'auth.failure.malformed'],
    [
      'alg none',
      (_: string, s: TestSigner) => `Bearer ${s.mint(valid(), { header: { alg: 'none' } })}`,
      'auth.failure.malformed',
    ],
    [
      'HS256 header',
      (_: string, s: TestSigner) => `Bearer ${s.mint(valid(), { header: { alg: 'HS256' } })}`,
      'auth.failure.malformed',
    ],
    [
      'an unknown crit',
      (_: string, s: TestSigner) => `Bearer ${s.mint(valid(), { header: { crit: ['b64'] } })}`,
      'auth.failure.malformed',
    ],
    [
      'a sub that is not a string',
      (_: string, s: TestSigner) => `Bearer ${s.mint(valid({ sub: 42 }))}`,
      'auth.failure.malformed',
    ],
    [
      'a forged signature',
      (_: string, s: TestSigner) => `Bearer ${s.mint(valid(), { forge: true, kid: s.currentKid })}`,
      'auth.failure.invalid_signature',
    ],
    [
      'a tampered payload',
      (token: string) => {
        const [header, , signature] = token.split('.');
        const payload = Buffer.from(
          JSON.stringify({ ...valid({ sub: 'mallory' }), exp: now() + 60, jti: 'x' }),
        ).toString('base64url');
        return `Bearer ${header}.${payload}.${signature}`;
      },
      'auth.failure.invalid_signature',
    ],
    [
      'expired beyond the skew',
      (_: string, s: TestSigner) =>
        `Bearer ${s.mint(valid({ iat: now() - 120, nbf: now() - 120, exp: now() - 31 }))}`,
      'auth.failure.expired',
    ],
    [
      'not valid yet beyond the skew',
      (_: string, s: TestSigner) => `Bearer ${s.mint(valid({ nbf: now() + 60 }))}`,
      'auth.failure.not_yet_valid',
    ],
    [
      'another issuer',
      (_: string, s: TestSigner) => `Bearer ${s.mint(valid({ iss: 'https://evil.test/' }))}`,
      'auth.failure.issuer_mismatch',
    ],
    [
      'another audience',
      (_: string, s: TestSigner) => `Bearer ${s.mint(valid({ aud: 'inventory-api' }))}`,
      'auth.failure.audience_mismatch',
    ],
    [
      'another tenant',
      (_: string, s: TestSigner) => `Bearer ${s.mint(valid({ tenant: 'other' }))}`,
      'auth.tenant_mismatch',
    ],
    [
      'no tenant claim',
      (_: string, s: TestSigner) => `Bearer ${s.mint(valid({ tenant: undefined }))}`,
      'auth.tenant_mismatch',
    ],
    [
      'no jti with replay protection on',
      (_: string, s: TestSigner) => `Bearer ${s.mint(valid({ jti: undefined }))}`,
      'auth.failure.malformed',
    ],
  ] as const)('refuses %s with 401 %s', async (_name, authorization, code) => {
    const response = await get(authorization(signer.mint(valid()), signer));
    expectRefused(response, 401, code);
  });

  it('accepts a token expired within the 30 s skew', async () => {
    const token = signer.mint(valid({ iat: now() - 60, nbf: now() - 60, exp: now() - 10 }));
    expect((await get(`Bearer ${token}`)).status).toBe(200);
  });

  it('refuses a replay with the message that names Oathkeeper’s token cache', async () => {
    const token = `Bearer ${signer.mint(valid())}`;
    expect((await get(token)).status).toBe(200);
    const replayed = await get(token);
    expectRefused(replayed, 401, 'auth.failure.replay');
    expect((replayed.body as { message: string }).message).toContain('claims template');
  });

  it('lets exactly one of 50 concurrent uses of one jti through', async () => {
    const token = `Bearer ${signer.mint(valid())}`;
    const statuses = (await Promise.all(Array.from({ length: 50 }, () => get(token)))).map(
      (response) => response.status,
    );
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 401)).toHaveLength(49);
  });

  it('accepts a new signing key after one refetch, without a restart', async () => {
    const before = jwks.fetchCount;
    const kid = signer.addKey();
    expect((await get(`Bearer ${signer.mint(valid(), { kid })}`)).status).toBe(200);
    expect(jwks.fetchCount).toBe(before + 1);
    expect((await get(`Bearer ${signer.mint(valid(), { kid })}`)).status).toBe(200);
    expect(jwks.fetchCount).toBe(before + 1);
  });

  it('keeps accepting known keys while the JWKS endpoint is down', async () => {
    jwks.setAvailable(false);
    expect((await get(`Bearer ${signer.mint(valid())}`)).status).toBe(200);
    const unknownKid = signer.mint(valid(), { forge: true });
    expectRefused(await get(`Bearer ${unknownKid}`), 401, 'auth.failure.invalid_signature');
  });

  it('answers 503, not 401, for a key rotated while the JWKS endpoint is down, then takes it', async () => {
    jwks.setAvailable(false);
    const token = `Bearer ${signer.mint(valid(), { kid: signer.addKey() })}`;
    const down = await get(token);
    expectRefused(down, 503, 'auth.upstream_unavailable');
    expect(down.headers.get('retry-after')).toBe('1');

    // Within about a second of the JWKS coming back, not a whole cooldown.
    jwks.setAvailable(true);
    const started = Date.now();
    expect((await firstAnswerWith(200, () => get(token), 5_000)).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe.each(PLATFORMS)('the first requests of a %s app', (platform) => {
  let signer: TestSigner;
  let jwks: TestJwksServer;
  let app: RunningApp | undefined;

  beforeAll(async () => {
    signer = TestSigner.create();
    jwks = await signer.serve();
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    jwks.setAvailable(true);
    jwks.setDelay(0);
  });
  afterAll(async () => {
    await jwks?.close();
  });

  const boot = async () => {
    app = await startApp(
      { imports: [iamModule(jwks.url)], controllers: [OrdersController] },
      platform,
    );
    return app.url;
  };

  it('answer 503 with Retry-After while the JWKS was never fetched, then 200 once it is up', async () => {
    jwks.setAvailable(false);
    const url = await boot();
    const down = await request(`${url}/orders`, {
      headers: { Authorization: `Bearer ${signer.mint(valid())}` },
    });
    expectRefused(down, 503, 'auth.upstream_unavailable');
    expect(down.headers.get('retry-after')).toMatch(/^\d+$/);
    jwks.setAvailable(true);
    // A client that honours Retry-After, as the 503 asks it to.
    const retryAfterMs = Number(down.headers.get('retry-after')) * 1_000;
    await new Promise((resolve) => setTimeout(resolve, retryAfterMs));
    const up = await request(`${url}/orders`, {
      headers: { Authorization: `Bearer ${signer.mint(valid())}` },
    });
    expect(up.status).toBe(200);
  });

  it('share one JWKS fetch among 200 concurrent first requests', async () => {
    jwks.setDelay(100);
    const url = await boot();
    const before = jwks.fetchCount;
    const responses = await Promise.all(
      Array.from({ length: 200 }, () =>
        request(`${url}/orders`, { headers: { Authorization: `Bearer ${signer.mint(valid())}` } }),
      ),
    );
    expect(responses.every((response) => response.status === 200)).toBe(true);
    expect(jwks.fetchCount - before).toBe(1);
  });
});
