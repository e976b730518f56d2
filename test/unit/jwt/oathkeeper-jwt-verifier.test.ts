/**
 * The verifier against the SPEC's order ("Verifying an Oathkeeper JWT"): every failure code, which
 * code wins when a token fails several checks, and that only a token that passed everything else
 * reaches the replay cache. Keys come from the test signer's JWKS on loopback; time is injected.
 */
import { createHmac, createPublicKey } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ValidatedTenantConfig } from '../../../src/config/tenant-config.js';
import type { IamErrorCode } from '../../../src/errors/error-codes.js';
import { IamHttpError } from '../../../src/errors/iam-errors.js';
import { JwksKeyStore } from '../../../src/jwt/jwks-key-store.js';
import { OathkeeperJwtVerifier } from '../../../src/jwt/oathkeeper-jwt-verifier.js';
import { InMemoryReplayCache } from '../../../src/replay/in-memory-replay-cache.js';
import type { ReplayCache } from '../../../src/replay/replay-cache.js';
import { HttpIamRequest } from '../../../src/request/http-request.js';
import {
  type TestJwksServer,
  TestSigner,
  type TestSignerAlgorithm,
} from '../../../src/testing/test-signer.js';
import { OathkeeperJwtTransport } from '../../../src/transport/oathkeeper-jwt-transport.js';
import { expectCode, segment } from './codes.js';
import { AUDIENCE, ISSUER, jwtTenant, RecordingSink, SpyReplayCache } from './verifier-fixtures.js';

const NOW_S = Math.floor(Date.now() / 1_000);
const SKEW_S = 30;

/** Claims of a token this tenant accepts at NOW_S. */
const valid = (claims: Record<string, unknown> = {}) => ({
  iss: ISSUER,
  aud: [AUDIENCE, 'inventory-api'],
  tenant: 'default',
  iat: NOW_S,
  nbf: NOW_S,
  exp: NOW_S + 60,
  ...claims,
});

let signer: TestSigner;
let jwks: TestJwksServer;
let tenant: ValidatedTenantConfig;
let keys: JwksKeyStore;
let clockMs: number;
let replay: SpyReplayCache;

function verifierFor(
  config: ValidatedTenantConfig = tenant,
  cache: ReplayCache = replay,
  store: JwksKeyStore = keys,
): OathkeeperJwtVerifier {
  const oathkeeper = config.oathkeeper;
  if (oathkeeper === undefined) throw new Error('no oathkeeper config');
  return new OathkeeperJwtVerifier(config, oathkeeper, store, cache, () => clockMs);
}

const verify = (token: string) => verifierFor().verify(token);

beforeAll(async () => {
  signer = TestSigner.create({ kid: 'k1' });
  jwks = await signer.serve();
  tenant = jwtTenant(jwks.url, { issuer: ISSUER });
  keys = new JwksKeyStore(
    tenant.oathkeeper?.jwks ?? fail(),
    'default',
    new RecordingSink().emitter(),
  );
  await keys.refresh();
});
afterAll(async () => {
  keys.close();
  await jwks.close();
});
beforeEach(() => {
  clockMs = NOW_S * 1_000;
  replay = new SpyReplayCache();
});

function fail(): never {
  throw new Error('missing config');
}

/** An HS256 token whose HMAC key is the RSA public key PEM: the classic algorithm confusion. */
function hs256WithPublicKey(): string {
  const jwk = signer.jwks().keys[0];
  const pem = createPublicKey({ key: jwk as never, format: 'jwk' })
    .export({ type: 'spki', format: 'pem' })
    .toString();
  const input = `${segment({ alg: 'HS256', kid: 'k1', typ: 'JWT' })}.${segment(valid({ sub: 'mallory', jti: 'j' }))}`;
  return `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
}

function replacePayload(token: string, payload: Record<string, unknown>): string {
  const [header, , signature] = token.split('.');
  return `${header}.${segment(payload)}.${signature}`;
}

function replaceSignature(token: string, signature: string): string {
  return `${token.slice(0, token.lastIndexOf('.'))}.${segment(signature)}`;
}

describe('OathkeeperJwtVerifier: accepted tokens', () => {
  it('returns the claims of a valid token and claims its jti once', async () => {
    const { claims, typed } = await verify(signer.mint(valid({ sub: 'alice', jti: 'j-ok' })));
    expect(claims.sub).toBe('alice');
    expect(typed).toMatchObject({ sub: 'alice', jti: 'j-ok', aud: [AUDIENCE, 'inventory-api'] });
    expect(replay.calls).toHaveLength(1);
    expect(replay.calls[0]).toMatch(/^claim default:j-ok /);
  });

  it('takes aud as a single string as well as an array', async () => {
    await verify(signer.mint(valid({ aud: AUDIENCE })));
    await verify(signer.mint(valid({ aud: ['other', AUDIENCE] })));
  });

  it('accepts a token expired less than clockSkewMs ago, and nbf/iat up to the skew ahead', async () => {
    await verify(signer.mint(valid({ iat: NOW_S - 60, nbf: NOW_S - 60, exp: NOW_S - 29 })));
    await verify(signer.mint(valid({ iat: NOW_S + SKEW_S, nbf: NOW_S + SKEW_S })));
  });

  it('accepts a token without nbf, iat or iss when no issuer and no token age limit are configured', async () => {
    const noIssuer = jwtTenant(jwks.url, {
      replayProtection: { enabled: true, maxTokenAgeMs: false },
    });
    const token = signer.mint(valid({ iss: undefined, nbf: undefined, iat: undefined }));
    await verifierFor(noIssuer).verify(token);
    await verifierFor(noIssuer).verify(signer.mint(valid({ iss: 'https://anyone/' })));
  });

  it('accepts a token without kid when exactly one key of its algorithm is published', async () => {
    const token = signer.mint(valid(), { header: { kid: undefined } });
    expect(
      JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()),
    ).not.toHaveProperty('kid');
    await verify(token);
  });

  it.each<TestSignerAlgorithm>(['RS256', 'PS256', 'ES256', 'EdDSA'])(
    'verifies %s when the tenant configures it',
    async (alg) => {
      const other = TestSigner.create({ alg, kid: `kid-${alg}` });
      const server = await other.serve();
      const config = jwtTenant(server.url, { jwks: { url: server.url, algorithms: [alg] } });
      const store = new JwksKeyStore(
        config.oathkeeper?.jwks ?? fail(),
        'default',
        new RecordingSink().emitter(),
      );
      try {
        await verifierFor(config, replay, store).verify(other.mint(valid()));
        await expectCode(
          () =>
            verifierFor(config, new SpyReplayCache(), store).verify(
              other.mint(valid(), { forge: true }),
            ),
          'auth.failure.invalid_signature',
        );
      } finally {
        store.close();
        await server.close();
      }
    },
  );
});

/** One case per failure, in the SPEC's order. Each token fails exactly that check. */
const FAILURES: readonly (readonly [string, IamErrorCode, () => string])[] = [
  [
    'two segments',
    'auth.failure.malformed',
    () => signer.mint(valid()).split('.').slice(0, 2).join('.'),
  ],
  ['four segments', 'auth.failure.malformed', () => `${signer.mint(valid())}.e30`],
  ['base64 padding', 'auth.failure.malformed', () => `${signer.mint(valid())}=`],
  [
    'standard base64 characters',
    'auth.failure.malformed',
    () => signer.mint(valid()).replace('.', '.+/'),
  ],
  [
    'a header that is not JSON',
    'auth.failure.malformed',
    () => `${segment('{alg:RS256}')}.${segment(valid())}.c2ln`,
  ],
  [
    'a payload that is not JSON',
    'auth.failure.malformed',
    () => `${segment({ alg: 'RS256', kid: 'k1' })}.${segment('sub=alice')}.c2ln`,
  ],
  [
    'a payload that is a JSON array',
    'auth.failure.malformed',
    () => `${segment({ alg: 'RS256', kid: 'k1' })}.${segment([1])}.c2ln`,
  ],
  [
    'a token above maxTokenBytes',
    'auth.failure.malformed',
    () => signer.mint(valid({ pad: 'x'.repeat(9_000) })),
  ],
  [
    'alg none with no signature',
    'auth.failure.malformed',
    () => `${segment({ alg: 'none', kid: 'k1' })}.${segment(valid())}.`,
  ],
  [
    'alg none with a signature',
    'auth.failure.malformed',
    () => signer.mint(valid(), { header: { alg: 'none' } }),
  ],
  [
    'an algorithm not in the allow-list (PS256)',
    'auth.failure.malformed',
    () => signer.mint(valid(), { header: { alg: 'PS256' } }),
  ],
  ['HS256 keyed with the RSA public key', 'auth.failure.malformed', hs256WithPublicKey],
  [
    'an unknown crit',
    'auth.failure.malformed',
    () => signer.mint(valid(), { header: { crit: ['exp'], exp: 1 } }),
  ],
  ['an empty kid', 'auth.failure.malformed', () => signer.mint(valid(), { header: { kid: '' } })],
  ['exp missing', 'auth.failure.malformed', () => signer.mint(valid({ exp: undefined }))],
  ['exp a string', 'auth.failure.malformed', () => signer.mint(valid({ exp: String(NOW_S + 60) }))],
  ['sub missing', 'auth.failure.malformed', () => signer.mint(valid({ sub: undefined }))],
  ['sub empty', 'auth.failure.malformed', () => signer.mint(valid({ sub: '' }))],
  ['jti a number', 'auth.failure.malformed', () => signer.mint(valid({ jti: 7 }))],
  [
    'iat beyond the skew in the future',
    'auth.failure.malformed',
    () => signer.mint(valid({ iat: NOW_S + SKEW_S + 1 })),
  ],
  [
    'an unknown kid',
    'auth.failure.invalid_signature',
    () => signer.mint(valid(), { header: { kid: 'no-such-kid' } }),
  ],
  [
    'a forged signature',
    'auth.failure.invalid_signature',
    () => signer.mint(valid(), { forge: true }),
  ],
  [
    'a tampered payload',
    'auth.failure.invalid_signature',
    () => replacePayload(signer.mint(valid()), valid({ sub: 'mallory', jti: 'x' })),
  ],
  [
    'a signature of the wrong length',
    'auth.failure.invalid_signature',
    () => replaceSignature(signer.mint(valid()), 'short'),
  ],
  [
    'exp exactly clockSkewMs ago',
    'auth.failure.expired',
    () => signer.mint(valid({ iat: NOW_S - 100, nbf: NOW_S - 100, exp: NOW_S - SKEW_S })),
  ],
  [
    'exp long ago',
    'auth.failure.expired',
    () => signer.mint(valid({ iat: NOW_S - 1_000, nbf: NOW_S - 1_000, exp: NOW_S - 600 })),
  ],
  [
    'nbf beyond the skew in the future',
    'auth.failure.not_yet_valid',
    () => signer.mint(valid({ nbf: NOW_S + SKEW_S + 1 })),
  ],
  [
    'no iss while an issuer is configured',
    'auth.failure.issuer_mismatch',
    () => signer.mint(valid({ iss: undefined })),
  ],
  [
    'another iss',
    'auth.failure.issuer_mismatch',
    () => signer.mint(valid({ iss: 'https://evil.test/' })),
  ],
  [
    'an iss differing by a trailing slash',
    'auth.failure.issuer_mismatch',
    () => signer.mint(valid({ iss: 'https://oathkeeper.test' })),
  ],
  [
    'aud another string',
    'auth.failure.audience_mismatch',
    () => signer.mint(valid({ aud: 'inventory-api' })),
  ],
  [
    'aud an array without ours',
    'auth.failure.audience_mismatch',
    () => signer.mint(valid({ aud: ['inventory-api', 'billing'] })),
  ],
  [
    'aud a string containing ours',
    'auth.failure.audience_mismatch',
    () => signer.mint(valid({ aud: `${AUDIENCE} inventory-api` })),
  ],
  ['aud missing', 'auth.failure.audience_mismatch', () => signer.mint(valid({ aud: undefined }))],
  ['another tenant', 'auth.tenant_mismatch', () => signer.mint(valid({ tenant: 'other' }))],
  ['no tenant claim', 'auth.tenant_mismatch', () => signer.mint(valid({ tenant: undefined }))],
  [
    'no jti with replay protection on',
    'auth.failure.malformed',
    () => signer.mint(valid({ jti: undefined })),
  ],
];

describe('OathkeeperJwtVerifier: failures', () => {
  it.each(FAILURES)(
    'refuses %s with %s, without touching the replay cache',
    async (_name, code, token) => {
      const error = await expectCode(() => verify(token()), code);
      expect(error.getStatus()).toBe(401);
      expect(replay.calls).toEqual([]);
    },
  );

  it('says the tenant is missing when the claim is missing, and another tenant when it differs', async () => {
    const missing = await expectCode(
      () => verify(signer.mint(valid({ tenant: undefined }))),
      'auth.tenant_mismatch',
    );
    expect(missing.message).toMatch(/missing/);
    expect(missing.message).not.toMatch(/another tenant/);
    const other = await expectCode(
      () => verify(signer.mint(valid({ tenant: 'other' }))),
      'auth.tenant_mismatch',
    );
    expect(other.message).toMatch(/another tenant/);
  });

  it('refuses a replayed jti last, with the message naming Oathkeeper’s token cache', async () => {
    const token = signer.mint(valid({ jti: 'replayed' }));
    await verify(token);
    const error = await expectCode(() => verify(token), 'auth.failure.replay');
    expect(error.message).toContain('claims template');
    // Another token with the same jti is a replay as well: the jti is what is remembered.
    await expectCode(
      () => verify(signer.mint(valid({ jti: 'replayed', sub: 'x' }))),
      'auth.failure.replay',
    );
  });

  it('answers a replay cache that fails with 503, never with an allow', async () => {
    const broken: ReplayCache = {
      seen: async () => false,
      remember: async () => undefined,
      claim: async () => {
        throw new Error('down');
      },
    };
    const error = await expectCode(
      () => verifierFor(tenant, broken).verify(signer.mint(valid())),
      'auth.upstream_unavailable',
    );
    expect(error.getStatus()).toBe(503);
  });
});

/** The code a synchronous call throws; fails the test when it returns, or returns a promise. */
function thrownCode(call: () => unknown): IamErrorCode {
  let result: unknown;
  try {
    result = call();
  } catch (error) {
    if (error instanceof IamHttpError) return error.code;
    throw error;
  }
  throw new Error(
    `expected a synchronous failure, got ${result instanceof Promise ? 'a promise' : 'a value'}`,
  );
}

describe('OathkeeperJwtVerifier: verifyNow, the path without a promise', () => {
  const inMemory = () => verifierFor(tenant, new InMemoryReplayCache());

  it.each(FAILURES)('refuses %s with %s, at once, as verify does', async (name, code, token) => {
    const minted = token();
    await expectCode(() => inMemory().verify(minted), code);
    // A kid the store does not hold is fetched again first: that one waits, as it must.
    if (name === 'an unknown kid') {
      const pending = inMemory().verifyNow(minted);
      expect(pending).toBeInstanceOf(Promise);
      await expectCode(() => pending, code);
    } else {
      expect(thrownCode(() => inMemory().verifyNow(minted))).toBe(code);
    }
  });

  it('returns a valid token without a promise when the key is cached and the cache in-process', () => {
    const result = inMemory().verifyNow(signer.mint(valid({ sub: 'alice', jti: 'sync-ok' })));
    expect(result).not.toBeInstanceOf(Promise);
    expect((result as Awaited<typeof result>).typed).toMatchObject({
      sub: 'alice',
      jti: 'sync-ok',
    });
  });

  it('refuses a replay, a full partition and a missing jti at once, with the codes verify gives', async () => {
    const cache = new InMemoryReplayCache({ maxEntries: 1 });
    const verifier = verifierFor(tenant, cache);
    const token = signer.mint(valid({ jti: 'once' }));
    verifier.verifyNow(token);
    expect(thrownCode(() => verifier.verifyNow(token))).toBe('auth.failure.replay');
    await expectCode(() => verifier.verify(token), 'auth.failure.replay');
    const next = signer.mint(valid({ jti: 'twice' }));
    expect(thrownCode(() => verifier.verifyNow(next))).toBe('auth.replay_capacity_exceeded');
    await expectCode(() => verifier.verify(next), 'auth.replay_capacity_exceeded');
    const noJti = signer.mint(valid({ jti: undefined }));
    expect(thrownCode(() => inMemory().verifyNow(noJti))).toBe('auth.failure.malformed');
  });

  it('waits (a promise) for a key it does not hold, and for a cache that claims asynchronously', async () => {
    const unknownKid = TestSigner.create({ kid: 'k-unknown' }).mint(valid());
    const pending = inMemory().verifyNow(unknownKid);
    expect(pending).toBeInstanceOf(Promise);
    await expectCode(() => pending, 'auth.failure.invalid_signature');
    const viaSpy = verifierFor(tenant, replay).verifyNow(signer.mint(valid({ jti: 'spy' })));
    expect(viaSpy).toBeInstanceOf(Promise);
    await viaSpy;
    expect(replay.calls[0]).toMatch(/^claim default:spy /);
  });

  it('lets a subclass of the in-memory cache that changes claim make every claim', async () => {
    const claimed: string[] = [];
    class Recording extends InMemoryReplayCache {
      override async claim(jti: string, ttlMs: number): Promise<boolean> {
        claimed.push(jti);
        return super.claim(jti, ttlMs);
      }
    }
    await verifierFor(tenant, new Recording()).verifyNow(signer.mint(valid({ jti: 'sub' })));
    expect(claimed).toEqual(['default:sub']);
  });
});

describe('OathkeeperJwtVerifier: the first failing check wins', () => {
  it.each<readonly [string, IamErrorCode, () => string]>([
    [
      'a bad algorithm and a forged signature',
      'auth.failure.malformed',
      () => signer.mint(valid(), { header: { alg: 'PS256' }, forge: true }),
    ],
    [
      'a bad claim type and an expired exp',
      'auth.failure.malformed',
      () => signer.mint(valid({ sub: 42, exp: NOW_S - 600, iat: NOW_S - 700, nbf: undefined })),
    ],
    [
      'a forged signature and an expired exp',
      'auth.failure.invalid_signature',
      () =>
        signer.mint(valid({ exp: NOW_S - 600, iat: NOW_S - 700, nbf: undefined }), { forge: true }),
    ],
    [
      'an expired exp and a wrong audience',
      'auth.failure.expired',
      () => signer.mint(valid({ exp: NOW_S - 600, iat: NOW_S - 700, nbf: undefined, aud: 'x' })),
    ],
    [
      'a future nbf and a wrong issuer',
      'auth.failure.not_yet_valid',
      () => signer.mint(valid({ nbf: NOW_S + 600, iss: 'x' })),
    ],
    [
      'a wrong issuer and a wrong audience',
      'auth.failure.issuer_mismatch',
      () => signer.mint(valid({ iss: 'x', aud: 'x' })),
    ],
    [
      'a wrong audience and another tenant',
      'auth.failure.audience_mismatch',
      () => signer.mint(valid({ aud: 'x', tenant: 'other' })),
    ],
    // jti is the replay step's requirement (step 8): earlier failures come first.
    [
      'no jti and a forged signature',
      'auth.failure.invalid_signature',
      () => signer.mint(valid({ jti: undefined }), { forge: true }),
    ],
    [
      'no jti and an expired exp',
      'auth.failure.expired',
      () =>
        signer.mint(valid({ jti: undefined, exp: NOW_S - 600, iat: NOW_S - 700, nbf: undefined })),
    ],
    [
      'no jti and a wrong audience',
      'auth.failure.audience_mismatch',
      () => signer.mint(valid({ jti: undefined, aud: 'x' })),
    ],
    [
      'no jti and another tenant',
      'auth.tenant_mismatch',
      () => signer.mint(valid({ jti: undefined, tenant: 'other' })),
    ],
  ])('answers %s with %s', async (_name, code, token) => {
    await expectCode(() => verify(token()), code);
    expect(replay.calls).toEqual([]);
  });

  it('fetches no key for a token that fails step 2, even with an unknown kid', async () => {
    const before = jwks.fetchCount;
    for (const token of [
      signer.mint(valid({ sub: 42 }), { header: { kid: 'unknown-a' } }),
      signer.mint(valid(), { header: { kid: 'unknown-b', alg: 'HS256' } }),
      signer.mint(valid({ iat: NOW_S + 3_600 }), { header: { kid: 'unknown-c' } }),
    ]) {
      await expectCode(() => verify(token), 'auth.failure.malformed');
    }
    expect(jwks.fetchCount).toBe(before);
  });

  it('reports the expiry of a replayed token that has since expired, not the replay', async () => {
    const token = signer.mint(valid({ jti: 'old' }));
    await verify(token);
    clockMs = (NOW_S + 60 + SKEW_S) * 1_000;
    await expectCode(() => verify(token), 'auth.failure.expired');
    expect(replay.calls).toHaveLength(1);
  });
});

describe('OathkeeperJwtVerifier: replay cache use', () => {
  it('remembers a jti at least until exp plus the skew, and at least ttlMs', async () => {
    const short = jwtTenant(jwks.url, {
      replayProtection: { enabled: true, ttlMs: 1_000, maxTokenAgeMs: false },
    });
    await verifierFor(short).verify(signer.mint(valid({ jti: 'long', exp: NOW_S + 600 })));
    expect(replay.calls).toEqual([`claim default:long ${(600 + SKEW_S) * 1_000}`]);

    const long = jwtTenant(jwks.url, { replayProtection: { enabled: true, ttlMs: 900_000 } });
    await verifierFor(long).verify(signer.mint(valid({ jti: 'short', exp: NOW_S + 10 })));
    expect(replay.calls[1]).toBe('claim default:short 900000');
  });

  it('qualifies the jti by tenant', async () => {
    const other = jwtTenant(jwks.url, {}, 'acme');
    await verifierFor(other).verify(signer.mint(valid({ jti: 'shared', tenant: 'acme' })));
    await verify(signer.mint(valid({ jti: 'shared' })));
    expect(replay.calls.map((call) => call.split(' ')[1])).toEqual([
      'acme:shared',
      'default:shared',
    ]);
  });

  it('falls back to seen then remember for a cache without claim', async () => {
    const legacy = new SpyReplayCache(false);
    const token = signer.mint(valid({ jti: 'legacy' }));
    await verifierFor(tenant, legacy).verify(token);
    expect(legacy.calls).toEqual(['seen default:legacy', `remember default:legacy ${120_000}`]);
    await expectCode(() => verifierFor(tenant, legacy).verify(token), 'auth.failure.replay');
  });

  it('never asks the replay cache when replay protection is off, and needs no jti then', async () => {
    const off = jwtTenant(jwks.url, { replayProtection: { enabled: false } });
    const token = signer.mint(valid({ jti: undefined }));
    await verifierFor(off).verify(token);
    await verifierFor(off).verify(token);
    expect(replay.calls).toEqual([]);
  });
});

describe('OathkeeperJwtTransport: the identity header (step 1)', () => {
  const transport = () => {
    const config = jwtTenant(jwks.url, { identityHeader: 'Authorization', issuer: ISSUER });
    const oathkeeper = config.oathkeeper ?? fail();
    return new OathkeeperJwtTransport(config, oathkeeper, keys, verifierFor(config), () => clockMs);
  };
  const authenticate = (headers: Record<string, string>) =>
    transport().authenticate(new HttpIamRequest({ headers }));

  it.each(['Bearer ', 'bearer ', 'BEARER ', 'bEaReR ', 'Bearer   ', ''])(
    'accepts the prefix %j (scheme case-insensitive, bare JWT too)',
    async (prefix) => {
      const identity = await authenticate({
        authorization: `${prefix}${signer.mint(valid({ sub: 'alice' }))}`,
      });
      expect(identity).toMatchObject({ id: 'alice', tenant: 'default', via: 'oathkeeper-jwt' });
    },
  );

  it('answers no identity for a missing header, which the guard turns into missing_credentials', async () => {
    expect(await authenticate({})).toBeUndefined();
    expect(await authenticate({ 'x-user': signer.mint(valid()) })).toBeUndefined();
    expect(replay.calls).toEqual([]);
  });

  it.each([
    ['an empty header', ''],
    ['the scheme alone', 'Bearer'],
    ['the scheme and spaces', 'Bearer  '],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['two tokens', 'Bearer a.b.c d.e.f'],
    ['a token followed by a space', 'Bearer a.b.c '],
  ])('refuses %s as malformed', async (_name, authorization) => {
    await expectCode(() => authenticate({ authorization }), 'auth.failure.malformed');
    expect(replay.calls).toEqual([]);
  });

  it('reads the JWT from the default X-User header', async () => {
    const config = jwtTenant(jwks.url, { issuer: ISSUER });
    const oathkeeper = config.oathkeeper ?? fail();
    const xUser = new OathkeeperJwtTransport(config, oathkeeper, keys, verifierFor(config));
    const request = new HttpIamRequest({ headers: { 'x-user': signer.mint(valid()) } });
    expect(await xUser.authenticate(request)).toMatchObject({ id: 'test-user' });
  });
});
