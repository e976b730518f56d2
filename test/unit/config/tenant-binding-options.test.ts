/**
 * How identities are bound to tenants when tenants may share a Kratos or an HMAC secret: the
 * defaults, the syntax of kratos.tenantBinding, and the boot refusal of a URL binding on a
 * Kratos that several tenants use.
 */
import { describe, expect, it } from 'vitest';
import { validateIamOptions } from '../../../src/config/validate-options.js';
import { oathkeeperTenant, problemsOf, withTenant } from './fixtures.js';

const SHARED_KRATOS = 'http://127.0.0.1:4433';
const SECRET = 'a-shared-secret-of-at-least-32-characters';

const kratosTenant = (kratos: Record<string, unknown> = {}, transport = 'cookie') => ({
  transport,
  kratos: { publicUrl: SHARED_KRATOS, ...kratos },
});
const hmacTenant = (secret = SECRET, claims?: Record<string, unknown>) => ({
  transport: 'oathkeeper',
  oathkeeper: { verifier: 'hmac', hmacSecret: secret },
  ...(claims !== undefined && { claims }),
});
const twoTenants = (acme: unknown, globex: unknown) => ({
  tenants: { acme, globex },
  tenantResolver: { header: 'X-Tenant' },
});

describe('kratos.tenantBinding: defaults', () => {
  it("is 'kratos-url' for the only tenant asking Kratos: a single tenant needs no new option", () => {
    const options = validateIamOptions(twoTenants(kratosTenant(), oathkeeperTenant()));
    expect(options.tenants.acme?.kratos?.tenantBinding).toBe('kratos-url');
  });

  it("is 'kratos-url' for each of several tenants with a Kratos of its own", () => {
    const options = validateIamOptions(
      twoTenants(kratosTenant(), kratosTenant({ publicUrl: 'http://127.0.0.1:5433' }, 'bearer')),
    );
    expect(options.tenants.acme?.kratos?.tenantBinding).toBe('kratos-url');
    expect(options.tenants.globex?.kratos?.tenantBinding).toBe('kratos-url');
  });

  it('is refused at boot for tenants sharing one Kratos: they must say how identities are bound', () => {
    expect(problemsOf(twoTenants(kratosTenant(), kratosTenant({}, 'bearer')))).toEqual([
      expect.stringContaining(
        "tenants.acme.kratos.tenantBinding: is required as an identity path: tenant 'globex' uses the same Kratos",
      ),
      expect.stringContaining(
        "tenants.globex.kratos.tenantBinding: is required as an identity path: tenant 'acme' uses the same Kratos",
      ),
    ]);
  });

  it('is absent on a tenant whose transport does not ask Kratos', () => {
    const options = validateIamOptions(
      withTenant(oathkeeperTenant({ kratos: { publicUrl: SHARED_KRATOS } })),
    );
    expect(options.tenants.default?.kratos).not.toHaveProperty('tenantBinding');
  });

  it('applies in cloud mode too', () => {
    const cloud = {
      mode: 'cloud',
      transport: 'bearer',
      cloud: { projectSlug: 'acme', apiKey: 'ory_pat_key' },
      kratos: { tenantBinding: 'traits.org' },
    };
    expect(validateIamOptions(withTenant(cloud)).tenants.default?.kratos?.tenantBinding).toBe(
      'traits.org',
    );
  });
});

describe('kratos.tenantBinding: values', () => {
  it.each([
    'kratos-url',
    'none',
    'metadata_public.tenant',
    'metadata_public.org.id',
    'traits.company',
  ])('accepts %j', (tenantBinding) => {
    const options = validateIamOptions(withTenant(kratosTenant({ tenantBinding })));
    expect(options.tenants.default?.kratos?.tenantBinding).toBe(tenantBinding);
  });

  it.each([
    ['tenant', '"tenant" (a string)'],
    ['metadata_public', '"metadata_public" (a string)'],
    ['metadata_public..tenant', '"metadata_public..tenant" (a string)'],
    ['metadata_admin.tenant', '"metadata_admin.tenant" (a string)'],
    [42, '42'],
  ])('rejects %j', (tenantBinding, shown) => {
    expect(problemsOf(withTenant(kratosTenant({ tenantBinding })))).toEqual([
      `tenants.default.kratos.tenantBinding: must be 'kratos-url', 'none' or a dot path into metadata_public or traits such as 'metadata_public.tenant', got ${shown}`,
    ]);
  });

  it("suggests metadata_public for the camel-case spelling of the library's identity", () => {
    expect(
      problemsOf(withTenant(kratosTenant({ tenantBinding: 'metadataPublic.tenant' })))[0],
    ).toMatch(/\(did you mean 'metadata_public\.tenant'\?\)$/);
  });

  it('is refused on a transport that does not ask Kratos, where it would be ignored', () => {
    expect(
      problemsOf(
        withTenant(
          oathkeeperTenant({
            kratos: { publicUrl: SHARED_KRATOS, tenantBinding: 'metadata_public.tenant' },
          }),
        ),
      ),
    ).toEqual([
      "tenants.default.kratos.tenantBinding: is only used with the transports that ask Kratos (cookie, bearer, cookie-or-bearer); remove it (transport is 'oathkeeper')",
    ]);
  });
});

describe('kratos.tenantBinding: tenants sharing one Kratos', () => {
  const refusal = (tenant: string, other: string) =>
    `tenants.${tenant}.kratos.tenantBinding: is required as an identity path: tenant '${other}' uses the same Kratos (kratos.publicUrl), whose URL cannot tell their identities apart, so each would accept the other's; set 'metadata_public.tenant' (or another metadata_public or traits path), or 'none' to accept every identity of this Kratos on purpose`;

  it("refuses 'kratos-url' on each tenant that binds by a URL another tenant uses", () => {
    expect(
      problemsOf(
        twoTenants(
          kratosTenant({ tenantBinding: 'kratos-url' }),
          kratosTenant({ tenantBinding: 'kratos-url' }, 'bearer'),
        ),
      ),
    ).toEqual([refusal('acme', 'globex'), refusal('globex', 'acme')]);
  });

  it('sees one Kratos behind spellings that differ only in host case, default port or a trailing slash', () => {
    expect(
      problemsOf(
        twoTenants(
          kratosTenant({ publicUrl: 'http://Kratos.Internal:80/', tenantBinding: 'kratos-url' }),
          kratosTenant({ publicUrl: 'http://kratos.internal' }),
        ),
      ),
    ).toEqual([refusal('acme', 'globex'), refusal('globex', 'acme')]);
  });

  it("accepts 'kratos-url' on tenants with different Kratos URLs, and the explicit opt-out 'none'", () => {
    const separate = twoTenants(
      kratosTenant({ tenantBinding: 'kratos-url' }),
      kratosTenant({ publicUrl: 'http://127.0.0.1:5433', tenantBinding: 'kratos-url' }),
    );
    expect(() => validateIamOptions(separate)).not.toThrow();
    const optedOut = twoTenants(
      kratosTenant({ tenantBinding: 'none' }),
      kratosTenant({ tenantBinding: 'none' }),
    );
    expect(validateIamOptions(optedOut).tenants.acme?.kratos?.tenantBinding).toBe('none');
  });

  it('ignores an Oathkeeper tenant that names the same Kratos for its services', () => {
    const options = twoTenants(
      kratosTenant({ tenantBinding: 'kratos-url' }),
      oathkeeperTenant({ kratos: { publicUrl: SHARED_KRATOS } }),
    );
    expect(() => validateIamOptions(options)).not.toThrow();
  });

  it('lists the refusal with every other problem in one error', () => {
    const problems = problemsOf(
      twoTenants(
        kratosTenant({ tenantBinding: 'kratos-url' }),
        kratosTenant({ sessionCookieName: 'a b', tenantBinding: 'none' }),
      ),
    );
    expect(problems).toEqual([
      'tenants.globex.kratos.sessionCookieName: must be a valid HTTP header/cookie name, got "a b" (a string)',
      refusal('acme', 'globex'),
    ]);
  });
});

describe('claims.allowMissingTenant with the hmac verifier', () => {
  it('defaults to true when no other tenant holds the secret: the secret binds the tenant', () => {
    const options = validateIamOptions(
      twoTenants(hmacTenant(), hmacTenant('another-secret-of-at-least-32-characters')),
    );
    expect(options.tenants.acme?.claims.allowMissingTenant).toBe(true);
    expect(options.tenants.globex?.claims.allowMissingTenant).toBe(true);
  });

  it('defaults to false when tenants share the secret: the signed header must name the tenant', () => {
    const options = validateIamOptions(twoTenants(hmacTenant(), hmacTenant()));
    expect(options.tenants.acme?.claims.allowMissingTenant).toBe(false);
    expect(options.tenants.globex?.claims.allowMissingTenant).toBe(false);
  });

  it('keeps what the operator wrote, either way', () => {
    const options = validateIamOptions(
      twoTenants(
        hmacTenant(SECRET, { allowMissingTenant: true }),
        hmacTenant('another-secret-of-at-least-32-characters', { allowMissingTenant: false }),
      ),
    );
    expect(options.tenants.acme?.claims.allowMissingTenant).toBe(true);
    expect(options.tenants.globex?.claims.allowMissingTenant).toBe(false);
  });

  it('stays false for JWT tenants', () => {
    expect(
      validateIamOptions(withTenant(oathkeeperTenant())).tenants.default?.claims.allowMissingTenant,
    ).toBe(false);
  });
});
