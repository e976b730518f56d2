/**
 * `replayProtection.maxTokenAgeMs`: with replay protection on, a token is expired once `iat` plus
 * the maximum age plus the skew has passed, so its jti is held for min(exp, iat + age) + skew at
 * most, not for the token's whole lifetime. Oathkeeper's own tokens (iat = nbf = now, 15-minute
 * `exp` by default) must pass. The verifier also tells the cache whose token it claims, and since
 * when it can have been used.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ValidatedTenantConfig } from '../../../src/config/tenant-config.js';
import { JwksKeyStore } from '../../../src/jwt/jwks-key-store.js';
import { OathkeeperJwtVerifier } from '../../../src/jwt/oathkeeper-jwt-verifier.js';
import type { ReplayCache, ReplayClaimContext } from '../../../src/replay/replay-cache.js';
import { type TestJwksServer, TestSigner } from '../../../src/testing/test-signer.js';
import { expectCode } from './codes.js';
import { AUDIENCE, jwtTenant, RecordingSink } from './verifier-fixtures.js';

const NOW_S = 1_800_000_000;
const SKEW_S = 30;
const AGE_S = 60;
const OATHKEEPER_DEFAULT_TTL_S = 15 * 60;

let signer: TestSigner;
let jwks: TestJwksServer;
let keys: JwksKeyStore;
let clockMs: number;
let claims: { key: string; ttlMs: number; context: ReplayClaimContext | undefined }[];

const recordingCache: ReplayCache = {
  seen: async () => false,
  remember: async () => undefined,
  claim: async (key, ttlMs, context) => {
    claims.push({ key, ttlMs, context });
    return true;
  },
};

function verifier(replayProtection: Record<string, unknown>): OathkeeperJwtVerifier {
  const tenant: ValidatedTenantConfig = jwtTenant(jwks.url, { replayProtection });
  if (tenant.oathkeeper === undefined) throw new Error('no oathkeeper config');
  return new OathkeeperJwtVerifier(tenant, tenant.oathkeeper, keys, recordingCache, () => clockMs);
}

/** A token as Oathkeeper's id_token mutator mints it `ageS` seconds ago with its default TTL. */
function oathkeeperToken(ageS: number, claimOverrides: Record<string, unknown> = {}): string {
  const iat = NOW_S - ageS;
  return signer.mint({
    aud: AUDIENCE,
    tenant: 'default',
    sub: 'alice',
    iat,
    nbf: iat,
    exp: iat + OATHKEEPER_DEFAULT_TTL_S,
    ...claimOverrides,
  });
}

beforeAll(async () => {
  signer = TestSigner.create();
  jwks = await signer.serve();
  const config = jwtTenant(jwks.url).oathkeeper?.jwks;
  if (config === undefined) throw new Error('no jwks config');
  keys = new JwksKeyStore(config, 'default', new RecordingSink().emitter());
  await keys.refresh();
});
afterAll(async () => {
  keys.close();
  await jwks.close();
});
beforeEach(() => {
  clockMs = NOW_S * 1_000;
  claims = [];
});

describe('maxTokenAgeMs (default 60 s, with replay protection on)', () => {
  it("accepts Oathkeeper's fresh 15-minute token and holds its jti for age + skew, not 15 minutes", async () => {
    await verifier({ enabled: true, ttlMs: 1_000 }).verify(oathkeeperToken(0));
    expect(claims).toEqual([
      {
        key: expect.stringMatching(/^default:/),
        ttlMs: (AGE_S + SKEW_S) * 1_000,
        context: { tenant: 'default', subject: 'alice', usableFromMs: (NOW_S - SKEW_S) * 1_000 },
      },
    ]);
  });

  it('tells the cache since when the token can have been used: iat (or a later nbf) less the skew', async () => {
    const verify = verifier({ enabled: true, maxTokenAgeMs: false });
    await verify.verify(oathkeeperToken(10));
    await verify.verify(oathkeeperToken(10, { nbf: NOW_S - 5 }));
    await verify.verify(oathkeeperToken(10, { iat: undefined }));
    await verify.verify(oathkeeperToken(10, { iat: undefined, nbf: undefined }));
    expect(claims.map((claim) => claim.context?.usableFromMs)).toEqual([
      (NOW_S - 10 - SKEW_S) * 1_000,
      (NOW_S - 5 - SKEW_S) * 1_000,
      (NOW_S - 10 - SKEW_S) * 1_000,
      undefined,
    ]);
  });

  it('still holds a jti for at least ttlMs', async () => {
    await verifier({ enabled: true }).verify(oathkeeperToken(0));
    expect(claims[0]?.ttlMs).toBe(120_000);
  });

  it('treats a token as expired once iat + maxTokenAgeMs + skew has passed, though exp is ahead', async () => {
    const verify = verifier({ enabled: true });
    await verify.verify(oathkeeperToken(AGE_S + SKEW_S - 1));
    await expectCode(() => verify.verify(oathkeeperToken(AGE_S + SKEW_S)), 'auth.failure.expired');
    expect(claims).toHaveLength(1);
  });

  it('holds the jti of an older token only for what is left of its age', async () => {
    await verifier({ enabled: true, ttlMs: 1_000 }).verify(oathkeeperToken(50));
    expect(claims[0]?.ttlMs).toBe((AGE_S + SKEW_S - 50) * 1_000);
  });

  it('uses exp when the token expires before its maximum age', async () => {
    const token = oathkeeperToken(0, { exp: NOW_S + 10 });
    await verifier({ enabled: true, ttlMs: 1_000 }).verify(token);
    expect(claims[0]?.ttlMs).toBe((10 + SKEW_S) * 1_000);
  });

  it('follows a configured age', async () => {
    const verify = verifier({ enabled: true, maxTokenAgeMs: 5_000 });
    await expectCode(() => verify.verify(oathkeeperToken(5 + SKEW_S)), 'auth.failure.expired');
    await verify.verify(oathkeeperToken(5 + SKEW_S - 1));
  });

  it('refuses a token without iat as malformed, after its signature and exp were checked', async () => {
    const verify = verifier({ enabled: true });
    const error = await expectCode(
      () => verify.verify(oathkeeperToken(0, { iat: undefined })),
      'auth.failure.malformed',
    );
    expect(error.message).toContain('iat is missing');
    await expectCode(
      () =>
        verify.verify(
          signer.mint({ aud: AUDIENCE, tenant: 'default', iat: undefined }, { forge: true }),
        ),
      'auth.failure.invalid_signature',
    );
    await expectCode(
      () => verify.verify(oathkeeperToken(0, { iat: undefined, exp: NOW_S - SKEW_S })),
      'auth.failure.expired',
    );
    expect(claims).toEqual([]);
  });

  it('is off with maxTokenAgeMs: false: an old token is accepted until exp, and iat is optional', async () => {
    const verify = verifier({ enabled: true, maxTokenAgeMs: false, ttlMs: 1_000 });
    await verify.verify(oathkeeperToken(600));
    expect(claims[0]?.ttlMs).toBe((OATHKEEPER_DEFAULT_TTL_S - 600 + SKEW_S) * 1_000);
    await verify.verify(oathkeeperToken(0, { iat: undefined }));
  });

  it('does not apply with replay protection off, where tokens Oathkeeper resends stay valid', async () => {
    const verify = verifier({ enabled: false });
    await verify.verify(oathkeeperToken(600));
    await verify.verify(oathkeeperToken(0, { iat: undefined }));
    expect(claims).toEqual([]);
  });
});
