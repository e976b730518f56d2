import { describe, expect, it } from 'vitest';
import { validateIamOptions } from '../../../src/config/validate-options.js';
import { oathkeeperTenant, problemsOf, withTenant } from './fixtures.js';

const replayCache = {
  seen: async () => false,
  remember: async () => undefined,
};

describe('validateIamOptions: the options object', () => {
  it.each([
    [null, 'options: must be an object, got null'],
    [undefined, 'options: must be an object, got undefined'],
    [[], 'options: must be an object, got an array'],
    ['tenants', 'options: must be an object, got "tenants" (a string)'],
  ])('rejects %j as options', (input, problem) => {
    expect(problemsOf(input)).toEqual([problem]);
  });

  it('reports unknown top-level keys and suggests the option a typo meant', () => {
    expect(problemsOf(withTenant(oathkeeperTenant(), { globl: true, tenantResolve: {} }))).toEqual([
      "globl: is not a known option (did you mean 'global'?)",
      "tenantResolve: is not a known option (did you mean 'tenantResolver'?)",
    ]);
  });

  it('explains that isGlobal belongs to forRootAsync, not to the factory result', () => {
    expect(problemsOf(withTenant(oathkeeperTenant(), { isGlobal: true }))).toEqual([
      "isGlobal: is not a known option (isGlobal belongs next to useFactory in forRootAsync({ ... }), not in the factory's result)",
    ]);
  });

  it('requires tenants, as an object with at least one entry', () => {
    expect(problemsOf({})[0]).toMatch(/^tenants: is required/);
    expect(problemsOf({ tenants: [] })).toEqual(['tenants: must be an object, got an array']);
    expect(problemsOf({ tenants: {} })).toEqual(['tenants: must configure at least one tenant']);
  });

  it('rejects empty tenant names and names containing the key separator', () => {
    expect(
      problemsOf({ tenants: { '': oathkeeperTenant(), 'acme:eu': oathkeeperTenant() } }),
    ).toEqual(
      expect.arrayContaining([
        'tenants[""]: tenant names must not be empty',
        `tenants["acme:eu"]: tenant names must not contain ':' (it separates the tenant from the key in shared caches)`,
      ]),
    );
  });

  it('defaults global to true and rejects non-booleans', () => {
    expect(validateIamOptions(withTenant(oathkeeperTenant())).global).toBe(true);
    expect(problemsOf(withTenant(oathkeeperTenant(), { global: 'false' }))).toEqual([
      'global: must be true or false, got "false" (a string)',
    ]);
  });
});

describe('validateIamOptions: choosing the tenant', () => {
  const twoTenants = { acme: oathkeeperTenant(), globex: oathkeeperTenant() };

  it('makes the only tenant the default', () => {
    expect(validateIamOptions({ tenants: { acme: oathkeeperTenant() } }).defaultTenant).toBe(
      'acme',
    );
  });

  it('requires defaultTenant to name a configured tenant', () => {
    expect(problemsOf({ tenants: twoTenants, defaultTenant: 'initech' })).toEqual([
      "defaultTenant: names tenant 'initech', which is not configured (configured: 'acme', 'globex')",
    ]);
  });

  it('requires a tenantResolver with several tenants and no defaultTenant', () => {
    expect(problemsOf({ tenants: twoTenants })).toEqual([
      'tenantResolver: is required with several tenants and no defaultTenant (tenants: acme, globex)',
    ]);
    expect(validateIamOptions({ tenants: twoTenants, defaultTenant: 'acme' }).defaultTenant).toBe(
      'acme',
    );
  });

  it('accepts a header resolver and a host map naming configured tenants', () => {
    const byHeader = validateIamOptions({
      tenants: twoTenants,
      tenantResolver: { header: 'X-Tenant' },
    });
    expect(byHeader.tenantResolver).toEqual({ header: 'X-Tenant' });
    expect(byHeader.defaultTenant).toBeUndefined();

    const hosts = { 'acme.example.com': 'acme', 'globex.example.com:8443': 'globex' };
    const byHost = validateIamOptions({ tenants: twoTenants, tenantResolver: { host: hosts } });
    expect(byHost.tenantResolver).toEqual({ host: hosts });
    expect(Object.isFrozen(byHost.tenantResolver)).toBe(true);
  });

  it('keeps a function resolver as given', () => {
    const resolver = () => 'acme';
    expect(
      validateIamOptions({ tenants: twoTenants, tenantResolver: resolver }).tenantResolver,
    ).toBe(resolver);
  });

  it('rejects resolvers of the wrong shape', () => {
    expect(problemsOf({ tenants: twoTenants, tenantResolver: 'X-Tenant' })[0]).toMatch(
      /^tenantResolver: must be \{ header: 'X-Tenant' \}, \{ host: .* or a function .*, got "X-Tenant" \(a string\)$/,
    );
    expect(problemsOf({ tenants: twoTenants, tenantResolver: {} })[0]).toMatch(
      /^tenantResolver: must be \{ header/,
    );
    expect(
      problemsOf({ tenants: twoTenants, tenantResolver: { header: 'X-Tenant', host: {} } }),
    ).toEqual(["tenantResolver: must set either 'header' or 'host', not both"]);
    expect(problemsOf({ tenants: twoTenants, tenantResolver: { header: 'X Tenant' } })).toEqual([
      'tenantResolver.header: must be a valid HTTP header/cookie name, got "X Tenant" (a string)',
    ]);
    expect(problemsOf({ tenants: twoTenants, tenantResolver: { headr: 'X-Tenant' } })).toEqual(
      expect.arrayContaining([
        "tenantResolver.headr: is not a known option (did you mean 'header'?)",
      ]),
    );
  });

  it('rejects host maps that are empty, name unknown tenants or will never match', () => {
    expect(problemsOf({ tenants: twoTenants, tenantResolver: { host: {} } })).toEqual([
      'tenantResolver.host: must map at least one host name to a tenant',
    ]);
    expect(
      problemsOf({
        tenants: twoTenants,
        tenantResolver: {
          host: {
            'a.example.com': 'initech',
            'B.example.com': 'acme',
            'c.example.com': 7,
            '': 'acme',
          },
        },
      }),
    ).toEqual([
      `tenantResolver.host["a.example.com"]: names tenant 'initech', which is not configured`,
      `tenantResolver.host["B.example.com"]: must be lowercase: browsers and proxies send Host in lowercase`,
      'tenantResolver.host["c.example.com"]: must be a string, got 7',
      'tenantResolver.host[""]: must be a host name, not an empty key',
    ]);
  });
});

describe('validateIamOptions: replayCache and auditSink', () => {
  it('accepts a replay cache with seen/remember (and optional claim) and keeps the instance', () => {
    class RedisLike {
      async seen() {
        return false;
      }
      async remember() {}
      async claim() {
        return true;
      }
    }
    const instance = new RedisLike();
    const validated = validateIamOptions(withTenant(oathkeeperTenant(), { replayCache: instance }));
    expect(validated.replayCache).toBe(instance);
    expect(Object.isFrozen(instance)).toBe(false);
    expect(validateIamOptions(withTenant(oathkeeperTenant(), { replayCache })).replayCache).toBe(
      replayCache,
    );
    expect(Object.isFrozen(replayCache)).toBe(false);
  });

  it('names every missing or wrong replay cache method', () => {
    expect(
      problemsOf(
        withTenant(oathkeeperTenant(), { replayCache: { seen: () => false, claim: true } }),
      ),
    ).toEqual([
      'replayCache.remember: must be a function (it is missing)',
      'replayCache.claim: must be a function (got true)',
    ]);
    expect(problemsOf(withTenant(oathkeeperTenant(), { replayCache: 'redis' }))).toEqual([
      'replayCache: must be an object with seen(jti) and remember(jti, ttlMs) methods, got "redis" (a string)',
    ]);
  });

  it('requires an audit sink with emit', () => {
    const sink = { emit: () => undefined };
    expect(validateIamOptions(withTenant(oathkeeperTenant(), { auditSink: sink })).auditSink).toBe(
      sink,
    );
    expect(
      problemsOf(withTenant(oathkeeperTenant(), { auditSink: { log: () => undefined } })),
    ).toEqual(['auditSink.emit: must be a function (it is missing)']);
  });

  it("combines class and handler roles with 'override' unless told 'all'", () => {
    expect(validateIamOptions(withTenant(oathkeeperTenant())).roles).toEqual({
      combine: 'override',
    });
    const all = withTenant(oathkeeperTenant(), { roles: { combine: 'all' } });
    expect(validateIamOptions(all).roles).toEqual({ combine: 'all' });
    expect(
      problemsOf(withTenant(oathkeeperTenant(), { roles: { combine: 'and', merge: true } })),
    ).toEqual([
      'roles.merge: is not a known option',
      "roles.combine: must be one of 'override', 'all', got \"and\" (a string)",
    ]);
  });

  it('keeps the errors mapper as given and refuses anything but a function', () => {
    const map = () => undefined;
    const options = validateIamOptions(withTenant(oathkeeperTenant(), { errors: { map } }));
    expect(options.errors.map).toBe(map);
    expect(validateIamOptions(withTenant(oathkeeperTenant())).errors).toEqual({});
    expect(problemsOf(withTenant(oathkeeperTenant(), { errors: { map: {}, shape: 1 } }))).toEqual([
      'errors.shape: is not a known option',
      'errors.map: must be a function (error, context) => exception, body or undefined, got an object',
    ]);
  });
});
