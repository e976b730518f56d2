import { describe, expect, it } from 'vitest';
import { validateIamOptions } from '../../../src/config/validate-options.js';
import { authBffOptions, inventoryApiOptions, ordersApiOptions } from './fixtures.js';

const defaultClaims = {
  roles: ['metadataPublic.roles', 'metadata_public.roles'],
  tenant: 'tenant',
  allowMissingTenant: false,
};
const defaultHttp = {
  timeoutMs: 1000,
  retries: 2,
  deadlineMs: 3000,
  maxConcurrent: 64,
  breaker: { enabled: true, failureThreshold: 5, halfOpenAfterMs: 5000 },
};

function walkthroughOathkeeper(audience: string) {
  return {
    verifier: 'jwt',
    jwks: {
      url: 'http://127.0.0.1:4456/.well-known/jwks.json',
      algorithms: ['RS256'],
      refreshIntervalMs: 600_000,
      cooldownMs: 30_000,
      timeoutMs: 5000,
      maxBytes: 1_048_576,
      maxKeys: 100,
      maxStaleMs: 86_400_000,
    },
    audience,
    clockSkewMs: 30_000,
    replayProtection: {
      enabled: true,
      ttlMs: 120_000,
      maxTokenAgeMs: 60_000,
      maxEntries: 1_000_000,
      maxSubjectSharePercent: 10,
    },
    identityHeader: 'Authorization',
    signatureHeader: 'X-User-Signature',
    maxTokenBytes: 8192,
    csrf: { enabled: false, trustedOrigins: [] },
  };
}

describe('the walkthrough configs', () => {
  it('accepts auth-bff (cookie-or-bearer) and fills in the Kratos and tenant defaults', () => {
    expect(validateIamOptions(authBffOptions)).toStrictEqual({
      global: false,
      defaultTenant: 'default',
      roles: { combine: 'override' },
      errors: {},
      tenants: {
        default: {
          name: 'default',
          mode: 'self-hosted',
          transport: 'cookie-or-bearer',
          trustProxy: true,
          kratos: {
            publicUrl: 'http://127.0.0.1:4433',
            adminUrl: 'http://127.0.0.1:4434',
            adminToken: 'local-dev-no-auth',
            sessionCookieName: 'ory_kratos_session',
            // The only tenant asking Kratos: its Kratos serves no other tenant of this module.
            tenantBinding: 'kratos-url',
            csrf: { enabled: true, trustedOrigins: [] },
          },
          claims: defaultClaims,
          http: defaultHttp,
        },
      },
    });
  });

  it('accepts orders-api (Oathkeeper JWT) with global guards and the JWKS timeout default', () => {
    expect(validateIamOptions(ordersApiOptions)).toStrictEqual({
      global: true,
      defaultTenant: 'default',
      roles: { combine: 'override' },
      errors: {},
      tenants: {
        default: {
          name: 'default',
          mode: 'self-hosted',
          transport: 'oathkeeper',
          trustProxy: false,
          kratos: {
            publicUrl: 'http://127.0.0.1:4433',
            sessionCookieName: 'ory_kratos_session',
            csrf: { enabled: true, trustedOrigins: [] },
          },
          oathkeeper: walkthroughOathkeeper('orders-api'),
          claims: defaultClaims,
          http: defaultHttp,
        },
      },
    });
  });

  it('accepts inventory-api (JWT + Keto) and keeps its Keto URLs', () => {
    expect(validateIamOptions(inventoryApiOptions)).toStrictEqual({
      global: true,
      defaultTenant: 'default',
      roles: { combine: 'override' },
      errors: {},
      tenants: {
        default: {
          name: 'default',
          mode: 'self-hosted',
          transport: 'oathkeeper',
          trustProxy: false,
          kratos: {
            publicUrl: 'http://127.0.0.1:4433',
            sessionCookieName: 'ory_kratos_session',
            csrf: { enabled: true, trustedOrigins: [] },
          },
          keto: { readUrl: 'http://127.0.0.1:4466', writeUrl: 'http://127.0.0.1:4467' },
          oathkeeper: walkthroughOathkeeper('inventory-api'),
          claims: defaultClaims,
          http: defaultHttp,
        },
      },
    });
  });

  it('accepts the same options returned by a forRootAsync factory, sync or async', async () => {
    const factory = async () => ({ ...ordersApiOptions });
    const fromFactory = validateIamOptions(await factory());
    expect(fromFactory).toStrictEqual(validateIamOptions(ordersApiOptions));
  });

  it('does not modify or freeze the options it was given', () => {
    const input = structuredClone(ordersApiOptions);
    validateIamOptions(input);
    expect(input).toStrictEqual(ordersApiOptions);
    expect(Object.isFrozen(input.tenants.default)).toBe(false);
  });
});
