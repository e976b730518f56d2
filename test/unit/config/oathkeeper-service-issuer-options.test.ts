import { describe, expect, it } from 'vitest';
import { validateIamOptions } from '../../../src/config/validate-options.js';
import { problemsOf, withTenant } from './fixtures.js';

const JWKS_URL = 'http://127.0.0.1:4456/.well-known/jwks.json';
const USERS = 'http://127.0.0.1:4455/';
const SERVICES = 'http://127.0.0.1:4455/services';
const BASE = { jwks: { url: JWKS_URL }, audience: 'inventory-api', issuer: USERS };

function problems(oathkeeper: Record<string, unknown>): readonly string[] {
  return problemsOf(withTenant({ transport: 'oathkeeper', oathkeeper }));
}

describe('oathkeeper.serviceIssuer', () => {
  it('is absent by default: no machine callers through Oathkeeper', () => {
    const tenant = validateIamOptions(withTenant({ transport: 'oathkeeper', oathkeeper: BASE }))
      .tenants.default;
    expect(tenant?.oathkeeper?.serviceIssuer).toBeUndefined();
  });

  it('is kept exactly as written, trailing slash included: iss is compared exactly', () => {
    const tenant = validateIamOptions(
      withTenant({
        transport: 'oathkeeper',
        oathkeeper: { ...BASE, serviceIssuer: `${SERVICES}/` },
      }),
    ).tenants.default;
    expect(tenant?.oathkeeper?.serviceIssuer).toBe(`${SERVICES}/`);
  });

  it('must be an absolute http(s) URL', () => {
    expect(problems({ ...BASE, serviceIssuer: 'services' })).toEqual([
      'tenants.default.oathkeeper.serviceIssuer: must be an absolute URL starting with http:// or https://',
    ]);
    expect(problems({ ...BASE, serviceIssuer: 42 })).toEqual([
      'tenants.default.oathkeeper.serviceIssuer: must be a string, got a number',
    ]);
  });

  it('must differ from issuer, or every user would be taken for a service', () => {
    expect(problems({ ...BASE, serviceIssuer: USERS })).toEqual([
      'tenants.default.oathkeeper.serviceIssuer: must differ from issuer: it is what tells a machine caller from a user',
    ]);
  });

  it('needs issuer, or a mistyped service rule would mint users', () => {
    const { issuer: _, ...withoutIssuer } = BASE;
    expect(problems({ ...withoutIssuer, serviceIssuer: SERVICES })).toEqual([
      "tenants.default.oathkeeper.issuer: is required when serviceIssuer is set: without it, a token from a service rule whose issuer_url is mistyped would be taken as a user's",
    ]);
  });

  it('is refused with verifier hmac, where nothing would read it', () => {
    expect(
      problems({
        verifier: 'hmac',
        hmacSecret: 'a-shared-secret-of-at-least-32-characters',
        serviceIssuer: SERVICES,
      }),
    ).toEqual([
      "tenants.default.oathkeeper.serviceIssuer: is only used with verifier 'jwt'; remove it (verifier is 'hmac')",
    ]);
  });

  it('is listed with every other problem of the section at once', () => {
    expect(
      problems({ jwks: { url: JWKS_URL }, audience: '', serviceIssuer: 'nope', clockSkewMs: -1 }),
    ).toEqual([
      'tenants.default.oathkeeper.serviceIssuer: must be an absolute URL starting with http:// or https://',
      "tenants.default.oathkeeper.issuer: is required when serviceIssuer is set: without it, a token from a service rule whose issuer_url is mistyped would be taken as a user's",
      'tenants.default.oathkeeper.audience: must not be empty',
      'tenants.default.oathkeeper.clockSkewMs: must be a non-negative integer (milliseconds), got -1',
    ]);
  });
});
