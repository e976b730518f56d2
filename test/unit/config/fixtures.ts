import type { IamModuleOptions } from '../../../src/config/module-options.js';
import { validateIamOptions } from '../../../src/config/validate-options.js';
import { IamConfigurationError } from '../../../src/errors/iam-errors.js';

/** The problems `validateIamOptions` reports; fails the test when the options are accepted. */
export function problemsOf(input: unknown): readonly string[] {
  try {
    validateIamOptions(input);
  } catch (error) {
    if (error instanceof IamConfigurationError) return error.problems;
    throw error;
  }
  throw new Error('expected the options to be rejected, but they were accepted');
}

/** The message of the error `validateIamOptions` throws. */
export function messageOf(input: unknown): string {
  try {
    validateIamOptions(input);
  } catch (error) {
    if (error instanceof IamConfigurationError) return error.message;
    throw error;
  }
  throw new Error('expected the options to be rejected, but they were accepted');
}

/** A minimal valid tenant to build variations on. */
export function oathkeeperTenant(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    transport: 'oathkeeper',
    oathkeeper: {
      jwks: { url: 'http://127.0.0.1:4456/.well-known/jwks.json' },
      audience: 'orders-api',
    },
    ...overrides,
  };
}

export function withTenant(tenant: unknown, extra: Record<string, unknown> = {}): unknown {
  return { tenants: { default: tenant }, ...extra };
}

// The three `IamModule.forRoot` blocks of spec/zero-trust-walkthrough.txt, exactly as written
// (comments dropped). `satisfies` proves they type-check as well as validate.

export const authBffOptions = {
  global: false,
  tenants: {
    default: {
      mode: 'self-hosted',
      transport: 'cookie-or-bearer',
      trustProxy: true,
      kratos: {
        publicUrl: 'http://127.0.0.1:4433',
        adminUrl: 'http://127.0.0.1:4434',
        adminToken: 'local-dev-no-auth',
      },
    },
  },
} satisfies IamModuleOptions;

export const ordersApiOptions = {
  tenants: {
    default: {
      mode: 'self-hosted',
      transport: 'oathkeeper',
      kratos: { publicUrl: 'http://127.0.0.1:4433' },
      oathkeeper: {
        verifier: 'jwt',
        jwks: {
          url: 'http://127.0.0.1:4456/.well-known/jwks.json',
          algorithms: ['RS256'],
          refreshIntervalMs: 600_000,
          cooldownMs: 30_000,
        },
        audience: 'orders-api',
        clockSkewMs: 30_000,
        replayProtection: {
          enabled: true,
          ttlMs: 120_000,
        },
        identityHeader: 'Authorization',
        signatureHeader: 'X-User-Signature',
      },
    },
  },
} satisfies IamModuleOptions;

export const inventoryApiOptions = {
  tenants: {
    default: {
      mode: 'self-hosted',
      transport: 'oathkeeper',
      kratos: { publicUrl: 'http://127.0.0.1:4433' },
      keto: {
        readUrl: 'http://127.0.0.1:4466',
        writeUrl: 'http://127.0.0.1:4467',
      },
      oathkeeper: {
        verifier: 'jwt',
        jwks: {
          url: 'http://127.0.0.1:4456/.well-known/jwks.json',
          algorithms: ['RS256'],
          refreshIntervalMs: 600_000,
          cooldownMs: 30_000,
        },
        audience: 'inventory-api',
        clockSkewMs: 30_000,
        replayProtection: { enabled: true, ttlMs: 120_000 },
        identityHeader: 'Authorization',
        signatureHeader: 'X-User-Signature',
      },
    },
  },
} satisfies IamModuleOptions;
