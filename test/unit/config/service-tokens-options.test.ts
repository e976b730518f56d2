import { describe, expect, it } from 'vitest';
import { validateIamOptions } from '../../../src/config/validate-options.js';
import { messageOf, oathkeeperTenant, problemsOf, withTenant } from './fixtures.js';

const SECRET = 'a-client-secret-nobody-may-see';
const serviceTokens = (extra: Record<string, unknown> = {}) => ({
  hydraPublicUrl: 'http://127.0.0.1:4444/',
  clientId: 'orders-api',
  clientSecret: SECRET,
  ...extra,
});

describe('serviceTokens (outgoing machine identity)', () => {
  it('applies its defaults and drops the trailing slash the SDK would double', () => {
    const tenant = validateIamOptions(
      withTenant(oathkeeperTenant({ serviceTokens: serviceTokens() })),
    ).tenants.default;
    expect(tenant?.serviceTokens).toEqual({
      hydraPublicUrl: 'http://127.0.0.1:4444',
      clientId: 'orders-api',
      clientSecret: SECRET,
      authMethod: 'client_secret_basic',
      expiryMarginMs: 30_000,
      refreshAheadMs: 60_000,
    });
  });

  it('is off when absent', () => {
    expect(validateIamOptions(withTenant(oathkeeperTenant())).tenants.default?.serviceTokens).toBe(
      undefined,
    );
  });

  it('lists every problem at once, by path', () => {
    const problems = problemsOf(
      withTenant(
        oathkeeperTenant({
          serviceTokens: {
            clientId: 'orders api',
            authMethod: 'client_secret_jwt',
            expiryMarginMs: -1,
            refreshAheadMs: '60000',
            tokenUrl: 'http://127.0.0.1:4444/oauth2/token',
          },
        }),
      ),
    );
    expect(problems).toEqual([
      'tenants.default.serviceTokens.tokenUrl: is not a known option',
      'tenants.default.serviceTokens.hydraPublicUrl: is required when serviceTokens is set',
      'tenants.default.serviceTokens.clientSecret: is required when serviceTokens is set',
      'tenants.default.serviceTokens.clientId: must be a Hydra client id (letters, digits and . _ ~ : @ -)',
      "tenants.default.serviceTokens.authMethod: must be one of 'client_secret_basic', 'client_secret_post', got \"client_secret_jwt\" (a string)",
      'tenants.default.serviceTokens.expiryMarginMs: must be a non-negative integer (milliseconds), got -1',
      expect.stringMatching(
        /^tenants\.default\.serviceTokens\.refreshAheadMs: must be a non-negative integer/,
      ),
    ]);
  });

  it('says private_key_jwt is not supported yet rather than that it does not exist', () => {
    const [problem] = problemsOf(
      withTenant(
        oathkeeperTenant({ serviceTokens: serviceTokens({ authMethod: 'private_key_jwt' }) }),
      ),
    );
    expect(problem).toMatch(/authMethod: 'private_key_jwt' is not supported yet/);
  });

  it('never echoes the secret, even when refusing it', () => {
    const wrongType = messageOf(
      withTenant(oathkeeperTenant({ serviceTokens: serviceTokens({ clientSecret: 42 }) })),
    );
    expect(wrongType).toMatch(/clientSecret: must be a string/);
    expect(wrongType).not.toContain('42');
    const trailingNewline = messageOf(
      withTenant(
        oathkeeperTenant({ serviceTokens: serviceTokens({ clientSecret: `${SECRET}\n` }) }),
      ),
    );
    expect(trailingNewline).toMatch(/clientSecret: must not contain whitespace/);
    expect(trailingNewline).not.toContain(SECRET);
    const urlWithCredentials = messageOf(
      withTenant(
        oathkeeperTenant({
          serviceTokens: serviceTokens({
            hydraPublicUrl: `http://orders-api:${SECRET}@hydra:4444`,
          }),
        }),
      ),
    );
    expect(urlWithCredentials).toMatch(/hydraPublicUrl: must not contain credentials/);
    expect(urlWithCredentials).not.toContain(SECRET);
  });
});
