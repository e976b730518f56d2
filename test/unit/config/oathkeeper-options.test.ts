import { describe, expect, it } from 'vitest';
import { ALLOWED_JWT_ALGORITHMS } from '../../../src/config/defaults.js';
import type { JwtAlgorithm } from '../../../src/config/tenant-config.js';
import { validateIamOptions } from '../../../src/config/validate-options.js';
import { oathkeeperTenant, problemsOf, withTenant } from './fixtures.js';

const JWKS_URL = 'http://127.0.0.1:4456/.well-known/jwks.json';
const HMAC_SECRET = 'a-shared-secret-of-at-least-32-characters';

function oathkeeperOf(oathkeeper: Record<string, unknown>) {
  const tenant = validateIamOptions(withTenant({ transport: 'oathkeeper', oathkeeper })).tenants
    .default;
  if (tenant?.oathkeeper === undefined) throw new Error('oathkeeper config missing');
  return tenant.oathkeeper;
}

function oathkeeperProblems(oathkeeper: unknown): readonly string[] {
  return problemsOf(withTenant({ transport: 'oathkeeper', oathkeeper }));
}

describe('oathkeeper: presence and verifier', () => {
  it('is required for transport oathkeeper', () => {
    expect(problemsOf(withTenant({ transport: 'oathkeeper' }))).toEqual([
      "tenants.default.oathkeeper: is required when transport is 'oathkeeper'",
    ]);
  });

  it('is rejected with another transport, where it would be ignored', () => {
    const tenant = oathkeeperTenant({ transport: 'bearer', kratos: { publicUrl: 'http://k' } });
    expect(problemsOf(withTenant(tenant))).toEqual([
      "tenants.default.oathkeeper: is only used with transport 'oathkeeper'; remove it (transport is 'bearer')",
    ]);
  });

  it('reports unknown keys such as a misspelt replayProtection', () => {
    expect(
      oathkeeperProblems({
        jwks: { url: JWKS_URL },
        audience: 'orders-api',
        replayProtecton: { enabled: true },
      }),
    ).toEqual([
      "tenants.default.oathkeeper.replayProtecton: is not a known option (did you mean 'replayProtection'?)",
    ]);
  });

  it('defaults verifier to jwt and rejects unknown verifiers', () => {
    expect(oathkeeperOf({ jwks: { url: JWKS_URL }, audience: 'a' }).verifier).toBe('jwt');
    expect(oathkeeperProblems({ verifier: 'rsa', jwks: { url: JWKS_URL }, audience: 'a' })).toEqual(
      ["tenants.default.oathkeeper.verifier: must be one of 'jwt', 'hmac', got \"rsa\" (a string)"],
    );
  });
});

describe('oathkeeper: verifier jwt', () => {
  it('requires jwks and audience', () => {
    expect(oathkeeperProblems({})).toEqual([
      "tenants.default.oathkeeper.jwks: is required when transport is 'oathkeeper' and verifier is 'jwt'",
      "tenants.default.oathkeeper.audience: is required when transport is 'oathkeeper' and verifier is 'jwt'",
    ]);
    expect(oathkeeperProblems({ jwks: {}, audience: '' })).toEqual([
      'tenants.default.oathkeeper.jwks.url: is required',
      'tenants.default.oathkeeper.audience: must not be empty',
    ]);
  });

  it('applies every default of the section', () => {
    expect(oathkeeperOf({ jwks: { url: JWKS_URL }, audience: 'orders-api' })).toStrictEqual({
      verifier: 'jwt',
      jwks: {
        url: JWKS_URL,
        algorithms: ['RS256'],
        refreshIntervalMs: 600_000,
        cooldownMs: 30_000,
        timeoutMs: 5_000,
        maxBytes: 1_048_576,
        maxKeys: 100,
        maxStaleMs: 86_400_000,
      },
      audience: 'orders-api',
      clockSkewMs: 30_000,
      replayProtection: {
        enabled: false,
        ttlMs: 120_000,
        maxTokenAgeMs: 60_000,
        maxEntries: 1_000_000,
        maxSubjectSharePercent: 10,
      },
      identityHeader: 'X-User',
      signatureHeader: 'X-User-Signature',
      maxTokenBytes: 8_192,
      csrf: { enabled: false, trustedOrigins: [] },
    });
  });

  it('keeps the JWKS URL exactly (it names a resource, not a base)', () => {
    expect(
      oathkeeperOf({ jwks: { url: 'https://gw.example.com/jwks/' }, audience: 'a' }).jwks?.url,
    ).toBe('https://gw.example.com/jwks/');
    expect(oathkeeperProblems({ jwks: { url: 'file:///etc/jwks.json' }, audience: 'a' })).toEqual([
      "tenants.default.oathkeeper.jwks.url: must be an http or https URL, got protocol 'file:'",
    ]);
  });

  it('accepts every asymmetric algorithm and removes duplicates', () => {
    const all: JwtAlgorithm[] = [...ALLOWED_JWT_ALGORITHMS, 'RS256'];
    const jwks = oathkeeperOf({ jwks: { url: JWKS_URL, algorithms: all }, audience: 'a' }).jwks;
    expect(jwks?.algorithms).toEqual(ALLOWED_JWT_ALGORITHMS);
  });

  it('never accepts none, HMAC or unknown algorithms, and says why', () => {
    const problems = oathkeeperProblems({
      jwks: { url: JWKS_URL, algorithms: ['RS256', 'none', 'HS256', 'rs256', 7] },
      audience: 'a',
    });
    expect(problems).toEqual([
      "tenants.default.oathkeeper.jwks.algorithms[1]: 'none' is never accepted: it would accept unsigned tokens",
      "tenants.default.oathkeeper.jwks.algorithms[2]: 'HS256' is an HMAC algorithm and is never accepted for JWTs (anyone with the published key could sign); use verifier 'hmac' for the shared-secret mode",
      "tenants.default.oathkeeper.jwks.algorithms[3]: 'rs256' is not an accepted algorithm (accepted: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA)",
      'tenants.default.oathkeeper.jwks.algorithms[4]: a number is not an accepted algorithm (accepted: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA)',
    ]);
    expect(oathkeeperProblems({ jwks: { url: JWKS_URL, algorithms: [] }, audience: 'a' })).toEqual([
      "tenants.default.oathkeeper.jwks.algorithms: must be a non-empty array such as ['RS256']",
    ]);
    expect(
      oathkeeperProblems({ jwks: { url: JWKS_URL, algorithms: 'RS256' }, audience: 'a' }),
    ).toEqual([
      "tenants.default.oathkeeper.jwks.algorithms: must be a non-empty array such as ['RS256']",
    ]);
  });

  it('rejects durations that are not positive integers or do not fit a timer', () => {
    expect(
      oathkeeperProblems({
        jwks: { url: JWKS_URL, refreshIntervalMs: 0, cooldownMs: 2.5, timeoutMs: 3_000_000_000 },
        audience: 'a',
        clockSkewMs: -1,
        maxTokenBytes: 0,
      }),
    ).toEqual([
      'tenants.default.oathkeeper.jwks.refreshIntervalMs: must be a positive integer (milliseconds), got 0',
      'tenants.default.oathkeeper.jwks.cooldownMs: must be a positive integer (milliseconds), got 2.5',
      'tenants.default.oathkeeper.jwks.timeoutMs: must be at most 2147483647 (milliseconds), got 3000000000',
      'tenants.default.oathkeeper.clockSkewMs: must be a non-negative integer (milliseconds), got -1',
      'tenants.default.oathkeeper.maxTokenBytes: must be a positive integer (bytes), got 0',
    ]);
  });

  it('accepts the JWKS bounds: body size, key count, how long keys may be served stale', () => {
    const jwks = oathkeeperOf({
      jwks: { url: JWKS_URL, maxBytes: 65_536, maxKeys: 5, maxStaleMs: 3_600_000 },
      audience: 'a',
    }).jwks;
    expect(jwks).toMatchObject({ maxBytes: 65_536, maxKeys: 5, maxStaleMs: 3_600_000 });
  });

  it('lists every bad JWKS bound in one error', () => {
    expect(
      oathkeeperProblems({
        jwks: { url: JWKS_URL, maxBytes: 0, maxKeys: '100', maxStaleMs: -1 },
        audience: 'a',
      }),
    ).toEqual([
      'tenants.default.oathkeeper.jwks.maxStaleMs: must be a positive integer (milliseconds), got -1',
      'tenants.default.oathkeeper.jwks.maxBytes: must be a positive integer (bytes), got 0',
      'tenants.default.oathkeeper.jwks.maxKeys: must be a positive integer (keys), got "100" (a string); convert environment values with Number()',
    ]);
  });

  it('refuses a maxStaleMs that does not outlast the refresh interval', () => {
    // Keys would go stale between two successful refreshes: a healthy JWKS answering 503.
    expect(
      oathkeeperProblems({
        jwks: { url: JWKS_URL, refreshIntervalMs: 60_000, maxStaleMs: 60_000 },
        audience: 'a',
      }),
    ).toEqual([
      'tenants.default.oathkeeper.jwks.maxStaleMs: must be greater than refreshIntervalMs (60000), got 60000: keys would stop verifying between two refreshes',
    ]);
    expect(
      oathkeeperProblems({ jwks: { url: JWKS_URL, maxStaleMs: 600_000 }, audience: 'a' }),
    ).toEqual([
      'tenants.default.oathkeeper.jwks.maxStaleMs: must be greater than refreshIntervalMs (600000), got 600000: keys would stop verifying between two refreshes',
    ]);
    expect(
      oathkeeperOf({ jwks: { url: JWKS_URL, maxStaleMs: 600_001 }, audience: 'a' }).jwks
        ?.maxStaleMs,
    ).toBe(600_001);
    // A bad refresh interval is reported once, not compared against its default as well.
    expect(
      oathkeeperProblems({
        jwks: { url: JWKS_URL, refreshIntervalMs: 0, maxStaleMs: 1_000 },
        audience: 'a',
      }),
    ).toEqual([
      'tenants.default.oathkeeper.jwks.refreshIntervalMs: must be a positive integer (milliseconds), got 0',
    ]);
  });

  it('allows a clock skew of zero (strict expiry)', () => {
    expect(
      oathkeeperOf({ jwks: { url: JWKS_URL }, audience: 'a', clockSkewMs: 0 }).clockSkewMs,
    ).toBe(0);
  });

  it('rejects an hmacSecret, which jwt mode would silently ignore', () => {
    expect(
      oathkeeperProblems({ jwks: { url: JWKS_URL }, audience: 'a', hmacSecret: HMAC_SECRET }),
    ).toEqual([
      "tenants.default.oathkeeper.hmacSecret: is only used with verifier 'hmac'; remove it (verifier is 'jwt')",
    ]);
  });

  it('checks the header names', () => {
    expect(
      oathkeeperProblems({
        jwks: { url: JWKS_URL },
        audience: 'a',
        identityHeader: 'X User',
        signatureHeader: '',
      }),
    ).toEqual([
      'tenants.default.oathkeeper.identityHeader: must be a valid HTTP header/cookie name, got "X User" (a string)',
      'tenants.default.oathkeeper.signatureHeader: must not be empty',
    ]);
  });

  it('checks issuer type', () => {
    expect(
      oathkeeperOf({ jwks: { url: JWKS_URL }, audience: 'a', issuer: 'http://oathkeeper:4455/' })
        .issuer,
    ).toBe('http://oathkeeper:4455/');
    expect(oathkeeperProblems({ jwks: { url: JWKS_URL }, audience: 'a', issuer: 42 })).toEqual([
      'tenants.default.oathkeeper.issuer: must be a string, got 42',
    ]);
  });
});

describe('oathkeeper: replayProtection', () => {
  const base = { jwks: { url: JWKS_URL }, audience: 'a' };

  it('is disabled with a 2-minute ttl and the default bounds when absent', () => {
    expect(oathkeeperOf(base).replayProtection).toEqual({
      enabled: false,
      ttlMs: 120_000,
      maxTokenAgeMs: 60_000,
      maxEntries: 1_000_000,
      maxSubjectSharePercent: 10,
    });
  });

  it('gets the default ttl when only enabled is given', () => {
    expect(oathkeeperOf({ ...base, replayProtection: { enabled: true } }).replayProtection).toEqual(
      {
        enabled: true,
        ttlMs: 120_000,
        maxTokenAgeMs: 60_000,
        maxEntries: 1_000_000,
        maxSubjectSharePercent: 10,
      },
    );
  });

  it('requires enabled, an object shape and a positive ttl', () => {
    expect(oathkeeperProblems({ ...base, replayProtection: { ttlMs: 0 } })).toEqual([
      'tenants.default.oathkeeper.replayProtection.enabled: is required (true or false)',
      'tenants.default.oathkeeper.replayProtection.ttlMs: must be a positive integer (milliseconds), got 0',
    ]);
    expect(oathkeeperProblems({ ...base, replayProtection: true })).toEqual([
      'tenants.default.oathkeeper.replayProtection: must be an object, got true',
    ]);
    expect(oathkeeperProblems({ ...base, replayProtection: { enabled: true, ttl: 5 } })).toEqual([
      "tenants.default.oathkeeper.replayProtection.ttl: is not a known option (did you mean 'ttlMs'?)",
    ]);
  });
});

describe('oathkeeper: verifier hmac', () => {
  it('requires an hmacSecret of at least 32 characters', () => {
    expect(oathkeeperProblems({ verifier: 'hmac' })).toEqual([
      "tenants.default.oathkeeper.hmacSecret: is required when transport is 'oathkeeper' and verifier is 'hmac'",
    ]);
    expect(oathkeeperProblems({ verifier: 'hmac', hmacSecret: 'too-short' })).toEqual([
      'tenants.default.oathkeeper.hmacSecret: must be at least 32 characters long',
    ]);
  });

  it('accepts a long secret without requiring jwks or audience', () => {
    const validated = oathkeeperOf({ verifier: 'hmac', hmacSecret: HMAC_SECRET });
    expect(validated.verifier).toBe('hmac');
    expect(validated.hmacSecret).toBe(HMAC_SECRET);
    expect(validated.jwks).toBeUndefined();
  });

  it('rejects a jwks block, which hmac mode would silently ignore', () => {
    expect(
      oathkeeperProblems({ verifier: 'hmac', hmacSecret: HMAC_SECRET, jwks: { url: JWKS_URL } }),
    ).toEqual([
      "tenants.default.oathkeeper.jwks: is only used with verifier 'jwt'; remove it (verifier is 'hmac')",
    ]);
  });
});
