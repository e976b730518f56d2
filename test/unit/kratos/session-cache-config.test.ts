import { describe, expect, it } from 'vitest';
import { validateIamOptions } from '../../../src/config/validate-options.js';
import { problemsOf, withTenant } from '../config/fixtures.js';

const cookieTenant = (kratos: Record<string, unknown>) => ({
  transport: 'cookie',
  kratos: { publicUrl: 'http://127.0.0.1:4433', ...kratos },
});

const cloudTenant = (kratos: Record<string, unknown>) => ({
  mode: 'cloud',
  transport: 'bearer',
  cloud: { projectSlug: 'playful-pike-1a2b3c', apiKey: 'ory_pat_x' },
  kratos,
});

function kratosOf(tenant: unknown) {
  return validateIamOptions(withTenant(tenant)).tenants.default?.kratos;
}

describe('kratos.sessionCache', () => {
  it('is absent (no cache) unless configured', () => {
    expect(kratosOf(cookieTenant({}))).not.toHaveProperty('sessionCache');
  });

  it('defaults the ttl to 10 s', () => {
    expect(kratosOf(cookieTenant({ sessionCache: { enabled: true } }))?.sessionCache).toEqual({
      enabled: true,
      ttlMs: 10_000,
    });
  });

  it('is accepted in cloud mode, where the other Kratos settings are derived', () => {
    expect(
      kratosOf(cloudTenant({ sessionCache: { enabled: true, ttlMs: 2_000 } }))?.sessionCache,
    ).toEqual({ enabled: true, ttlMs: 2_000 });
  });

  it('reports a missing enabled flag, a bad ttl and unknown keys by path', () => {
    expect(problemsOf(withTenant(cookieTenant({ sessionCache: { ttlMs: 0, ttl: 5 } })))).toEqual([
      "tenants.default.kratos.sessionCache.ttl: is not a known option (did you mean 'ttlMs'?)",
      'tenants.default.kratos.sessionCache.enabled: is required',
      'tenants.default.kratos.sessionCache.ttlMs: must be a positive integer (milliseconds), got 0',
    ]);
    expect(problemsOf(withTenant(cloudTenant({ sessionCache: { enabled: 'yes' } })))).toEqual([
      'tenants.default.kratos.sessionCache.enabled: must be true or false, got "yes" (a string)',
    ]);
  });
});
