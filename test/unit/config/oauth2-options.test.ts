import { describe, expect, it } from 'vitest';
import { validateIamOptions } from '../../../src/config/validate-options.js';
import { oathkeeperTenant, problemsOf, withTenant } from './fixtures.js';

const HYDRA_JWKS = 'http://127.0.0.1:4444/.well-known/jwks.json';
const oauth2 = (extra: Record<string, unknown> = {}) => ({
  issuer: 'http://127.0.0.1:4444/',
  audience: 'inventory-api',
  jwks: { url: HYDRA_JWKS },
  ...extra,
});

describe('oauth2 (machine callers)', () => {
  it('applies its defaults next to the tenant transport', () => {
    const tenant = validateIamOptions(withTenant(oathkeeperTenant({ oauth2: oauth2() }))).tenants
      .default;
    expect(tenant?.oauth2).toMatchObject({
      issuer: 'http://127.0.0.1:4444/',
      audience: 'inventory-api',
      header: 'Authorization',
      clockSkewMs: 30_000,
      maxTokenBytes: 8_192,
      jwks: { url: HYDRA_JWKS, algorithms: ['RS256'] },
    });
  });

  it('is off when absent', () => {
    expect(validateIamOptions(withTenant(oathkeeperTenant())).tenants.default?.oauth2).toBe(
      undefined,
    );
  });

  it('requires issuer, audience and jwks: without them any signed token would pass', () => {
    expect(problemsOf(withTenant(oathkeeperTenant({ oauth2: {} })))).toEqual([
      'tenants.default.oauth2.issuer: is required when oauth2 is set',
      'tenants.default.oauth2.audience: is required when oauth2 is set',
      'tenants.default.oauth2.jwks: is required when oauth2 is set',
    ]);
  });

  it("refuses Oathkeeper's identity header and issuer, and HMAC algorithms", () => {
    const tenant = oathkeeperTenant({
      oauth2: oauth2({ header: 'x-user', jwks: { url: HYDRA_JWKS, algorithms: ['HS256'] } }),
    });
    const problems = problemsOf(withTenant(tenant));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^tenants\.default\.oauth2\.jwks\.algorithms\[0\]: 'HS256'/);
    expect(problems[1]).toMatch(/^tenants\.default\.oauth2\.header: must differ/);
    const sameIssuer = oathkeeperTenant({ oauth2: oauth2({ issuer: 'http://ok/' }) });
    (sameIssuer.oathkeeper as Record<string, unknown>).issuer = 'http://ok/';
    expect(problemsOf(withTenant(sameIssuer))).toEqual([
      'tenants.default.oauth2.issuer: must differ from oathkeeper.issuer: each issuer has its own keys',
    ]);
  });

  describe('tenants trusting one issuer', () => {
    const tenants = (acme: Record<string, unknown>, globex: Record<string, unknown>) => ({
      tenants: {
        acme: oathkeeperTenant({ oauth2: oauth2(acme) }),
        globex: oathkeeperTenant({ oauth2: oauth2(globex) }),
      },
      defaultTenant: 'acme',
    });
    const refusal = (tenant: string, other: string) =>
      `tenants.${tenant}.oauth2.audience: must differ from that of tenant '${other}', which trusts the same oauth2.issuer: access tokens carry no tenant, so each would accept the other's service tokens; give each tenant its own audience`;

    it('refuses the same audience on each of them: each would accept the other’s tokens', () => {
      expect(problemsOf(tenants({}, {}))).toEqual([
        refusal('acme', 'globex'),
        refusal('globex', 'acme'),
      ]);
    });

    it('accepts them with an audience each, and one audience under two issuers', () => {
      expect(() =>
        validateIamOptions(tenants({}, { audience: 'inventory-api-globex' })),
      ).not.toThrow();
      expect(() =>
        validateIamOptions(tenants({}, { issuer: 'http://127.0.0.1:4445/' })),
      ).not.toThrow();
    });

    it('compares issuers exactly, as a token’s iss is compared: a trailing slash is another issuer', () => {
      expect(() =>
        validateIamOptions(tenants({}, { issuer: 'http://127.0.0.1:4444' })),
      ).not.toThrow();
    });
  });
});
