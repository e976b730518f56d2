import { describe, expect, it } from 'vitest';
import { validateIamOptions } from '../../../src/config/validate-options.js';
import { oathkeeperTenant, problemsOf, withTenant } from './fixtures.js';

const cookieTenant = (overrides: Record<string, unknown> = {}) => ({
  transport: 'cookie',
  kratos: { publicUrl: 'http://127.0.0.1:4433' },
  ...overrides,
});

function tenantOf(tenant: unknown) {
  const validated = validateIamOptions(withTenant(tenant)).tenants.default;
  if (validated === undefined) throw new Error('tenant missing from the validated options');
  return validated;
}

describe('tenant: mode, transport, trustProxy', () => {
  it('rejects a tenant that is not an object', () => {
    expect(problemsOf(withTenant('oathkeeper'))).toEqual([
      'tenants.default: must be an object, got "oathkeeper" (a string)',
    ]);
  });

  it('reports unknown tenant keys with a suggestion', () => {
    expect(problemsOf(withTenant(oathkeeperTenant({ trustProxi: true, kratoss: {} })))).toEqual([
      "tenants.default.trustProxi: is not a known option (did you mean 'trustProxy'?)",
      "tenants.default.kratoss: is not a known option (did you mean 'kratos'?)",
    ]);
  });

  it('requires transport and echoes a wrong one', () => {
    expect(problemsOf(withTenant({}))).toEqual([
      "tenants.default.transport: is required (one of 'oathkeeper', 'cookie', 'bearer', 'cookie-or-bearer')",
    ]);
    expect(problemsOf(withTenant(oathkeeperTenant({ transport: 'jwt' })))).toEqual([
      "tenants.default.transport: must be one of 'oathkeeper', 'cookie', 'bearer', 'cookie-or-bearer', got \"jwt\" (a string)",
    ]);
  });

  it('defaults mode to self-hosted and rejects other modes', () => {
    expect(tenantOf(oathkeeperTenant()).mode).toBe('self-hosted');
    expect(problemsOf(withTenant(oathkeeperTenant({ mode: 'saas' })))).toEqual([
      "tenants.default.mode: must be one of 'self-hosted', 'cloud', got \"saas\" (a string)",
    ]);
  });

  it('defaults trustProxy to false and rejects non-booleans', () => {
    expect(tenantOf(oathkeeperTenant()).trustProxy).toBe(false);
    expect(problemsOf(withTenant(oathkeeperTenant({ trustProxy: 1 })))).toEqual([
      'tenants.default.trustProxy: must be true or false, got 1',
    ]);
  });
});

describe('tenant: kratos and keto (self-hosted)', () => {
  it.each(['cookie', 'bearer', 'cookie-or-bearer'])(
    'requires kratos.publicUrl for transport %s',
    (transport) => {
      expect(problemsOf(withTenant({ transport }))).toEqual([
        `tenants.default.kratos.publicUrl: is required when transport is '${transport}' in self-hosted mode`,
      ]);
    },
  );

  it('lets an oathkeeper tenant leave kratos out, but not half-configure it', () => {
    expect(tenantOf(oathkeeperTenant()).kratos).toBeUndefined();
    expect(problemsOf(withTenant(oathkeeperTenant({ kratos: {} })))).toEqual([
      'tenants.default.kratos.publicUrl: is required',
    ]);
  });

  it('rejects URLs that do not parse, are not http(s) or carry credentials, without echoing them', () => {
    const problems = problemsOf(
      withTenant(
        cookieTenant({
          kratos: {
            publicUrl: 'localhost:4433',
            adminUrl: 'ftp://127.0.0.1:4434',
          },
          keto: { readUrl: 'https://admin:hunter2hunter2@keto.internal', writeUrl: '' },
        }),
      ),
    );
    expect(problems).toEqual([
      'tenants.default.kratos.publicUrl: must be an absolute URL starting with http:// or https://',
      "tenants.default.kratos.adminUrl: must be an http or https URL, got protocol 'ftp:'",
      'tenants.default.keto.readUrl: must not contain credentials; use the adminToken/apiKey option instead',
      'tenants.default.keto.writeUrl: must not be empty',
    ]);
    expect(problems.join('\n')).not.toContain('hunter2');
    expect(
      problemsOf(withTenant(cookieTenant({ kratos: { publicUrl: 'http://kratos host:4433' } }))),
    ).toEqual(['tenants.default.kratos.publicUrl: must be a valid URL (it does not parse)']);
  });

  it('drops trailing slashes from base URLs so SDK paths do not start with //', () => {
    const tenant = tenantOf(
      cookieTenant({
        kratos: { publicUrl: 'https://kratos.example.com/' },
        keto: { readUrl: 'http://keto:4466//', writeUrl: 'http://keto:4467/' },
      }),
    );
    expect(tenant.kratos?.publicUrl).toBe('https://kratos.example.com');
    expect(tenant.keto).toEqual({ readUrl: 'http://keto:4466', writeUrl: 'http://keto:4467' });
  });

  it('defaults and checks the session cookie name', () => {
    expect(tenantOf(cookieTenant()).kratos?.sessionCookieName).toBe('ory_kratos_session');
    expect(
      problemsOf(
        withTenant(cookieTenant({ kratos: { publicUrl: 'http://k', sessionCookieName: 'a b' } })),
      ),
    ).toEqual([
      'tenants.default.kratos.sessionCookieName: must be a valid HTTP header/cookie name, got "a b" (a string)',
    ]);
  });

  it('rejects an admin token without an admin URL, and tokens with whitespace', () => {
    expect(
      problemsOf(
        withTenant(cookieTenant({ kratos: { publicUrl: 'http://k', adminToken: 'tok' } })),
      ),
    ).toEqual([
      'tenants.default.kratos.adminToken: is only sent to the admin API, but adminUrl is not set',
    ]);
    expect(
      problemsOf(
        withTenant(
          cookieTenant({ keto: { readUrl: 'http://keto:4466', adminToken: 'ory_pat_abc\n' } }),
        ),
      ),
    ).toEqual([
      'tenants.default.keto.adminToken: must not contain whitespace or line breaks (check how it is loaded)',
    ]);
  });

  it('requires keto.readUrl when keto is configured', () => {
    expect(
      problemsOf(withTenant(cookieTenant({ keto: { writeUrl: 'http://keto:4467' } }))),
    ).toEqual(['tenants.default.keto.readUrl: is required']);
  });

  it('rejects a cloud block in self-hosted mode', () => {
    expect(
      problemsOf(withTenant(cookieTenant({ cloud: { projectSlug: 'x', apiKey: 'k' } }))),
    ).toEqual([
      "tenants.default.cloud: is only used with mode 'cloud'; remove it or set mode: 'cloud'",
    ]);
  });
});

describe('tenant: claims', () => {
  it('defaults the role paths, tenant claim and allowMissingTenant', () => {
    expect(tenantOf(oathkeeperTenant()).claims).toEqual({
      roles: ['metadataPublic.roles', 'metadata_public.roles'],
      tenant: 'tenant',
      allowMissingTenant: false,
    });
  });

  it('turns a single roles path into a one-element array', () => {
    const claims = tenantOf(
      oathkeeperTenant({ claims: { roles: 'realm_access.roles', tenant: 'org' } }),
    ).claims;
    expect(claims).toEqual({
      roles: ['realm_access.roles'],
      tenant: 'org',
      allowMissingTenant: false,
    });
  });

  it('rejects empty, malformed and mistyped claim settings', () => {
    expect(
      problemsOf(
        withTenant(
          oathkeeperTenant({
            claims: {
              roles: ['ok.path', 3, 'a..b'],
              tenant: '',
              allowMissingTenant: 'yes',
              role: 'x',
            },
          }),
        ),
      ),
    ).toEqual([
      "tenants.default.claims.role: is not a known option (did you mean 'roles'?)",
      'tenants.default.claims.roles[1]: must be a non-empty string, got 3',
      'tenants.default.claims.tenant: must not be empty',
      'tenants.default.claims.allowMissingTenant: must be true or false, got "yes" (a string)',
    ]);
    expect(problemsOf(withTenant(oathkeeperTenant({ claims: { roles: [] } })))).toEqual([
      'tenants.default.claims.roles: must not be empty',
    ]);
    expect(problemsOf(withTenant(oathkeeperTenant({ claims: { roles: 'a..b' } })))).toEqual([
      'tenants.default.claims.roles[0]: must be a dot path such as \'metadataPublic.roles\', got "a..b"',
    ]);
  });
});

describe('tenant: http', () => {
  const defaultBreaker = { enabled: true, failureThreshold: 5, halfOpenAfterMs: 5000 };
  const defaults = { timeoutMs: 1000, retries: 2, deadlineMs: 3000 };

  it('defaults the timeout, retries, deadline, bulkhead and breaker', () => {
    expect(tenantOf(oathkeeperTenant()).http).toEqual({
      ...defaults,
      maxConcurrent: 64,
      breaker: defaultBreaker,
    });
    expect(tenantOf(oathkeeperTenant({ http: { retries: 0 } })).http).toEqual({
      ...defaults,
      retries: 0,
      maxConcurrent: 64,
      breaker: defaultBreaker,
    });
    expect(tenantOf(oathkeeperTenant({ http: { deadlineMs: 800 } })).http.deadlineMs).toBe(800);
  });

  it('rejects a deadline that is not a positive integer', () => {
    expect(problemsOf(withTenant(oathkeeperTenant({ http: { deadlineMs: 0 } })))).toEqual([
      'tenants.default.http.deadlineMs: must be a positive integer (milliseconds), got 0',
    ]);
  });

  it('takes the bulkhead and breaker options, a breaker turned off included', () => {
    const http = {
      maxConcurrent: 8,
      breaker: { enabled: false, failureThreshold: 3, halfOpenAfterMs: 250 },
    };
    expect(tenantOf(oathkeeperTenant({ http })).http).toEqual({ ...defaults, ...http });
    expect(
      tenantOf(oathkeeperTenant({ http: { breaker: { failureThreshold: 2 } } })).http.breaker,
    ).toEqual({ ...defaultBreaker, failureThreshold: 2 });
  });

  it('lists every problem of the bulkhead and breaker options', () => {
    const http = {
      maxConcurrent: 0,
      breaker: { enabled: 'no', failureThreshold: 0, halfOpenAfterMs: 1.5, halfOpenAfter: 5 },
    };
    expect(problemsOf(withTenant(oathkeeperTenant({ http })))).toEqual([
      'tenants.default.http.maxConcurrent: must be a positive integer (calls), got 0',
      "tenants.default.http.breaker.halfOpenAfter: is not a known option (did you mean 'halfOpenAfterMs'?)",
      'tenants.default.http.breaker.enabled: must be true or false, got "no" (a string)',
      'tenants.default.http.breaker.failureThreshold: must be a positive integer (failures), got 0',
      'tenants.default.http.breaker.halfOpenAfterMs: must be a positive integer (milliseconds), got 1.5',
    ]);
    expect(
      problemsOf(withTenant(oathkeeperTenant({ http: { breaker: true, maxConcurrent: 1e6 } }))),
    ).toEqual([
      'tenants.default.http.maxConcurrent: must be at most 100000 (calls), got 1000000',
      'tenants.default.http.breaker: must be an object, got true',
    ]);
  });

  it('rejects non-positive, fractional, string and oversized values', () => {
    expect(
      problemsOf(withTenant(oathkeeperTenant({ http: { timeoutMs: '5000', retries: -1 } }))),
    ).toEqual([
      'tenants.default.http.timeoutMs: must be a positive integer (milliseconds), got "5000" (a string); convert environment values with Number()',
      'tenants.default.http.retries: must be a non-negative integer (retries), got -1',
    ]);
    expect(
      problemsOf(withTenant(oathkeeperTenant({ http: { timeoutMs: 0, retries: 1.5 } }))),
    ).toEqual([
      'tenants.default.http.timeoutMs: must be a positive integer (milliseconds), got 0',
      'tenants.default.http.retries: must be a non-negative integer (retries), got 1.5',
    ]);
    expect(
      problemsOf(withTenant(oathkeeperTenant({ http: { timeoutMs: Number.NaN, retries: 11 } }))),
    ).toEqual([
      'tenants.default.http.timeoutMs: must be a positive integer (milliseconds), got NaN',
      'tenants.default.http.retries: must be at most 10 (retries), got 11',
    ]);
  });
});
