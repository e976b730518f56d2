import { describe, expect, it } from 'vitest';
import { deriveCloudEndpoints } from '../../../src/config/cloud-urls.js';
import { validateIamOptions } from '../../../src/config/validate-options.js';
import { problemsOf, withTenant } from './fixtures.js';

const API_KEY = 'ory_pat_0123456789abcdef';

function cloudTenant(cloud: Record<string, unknown>, overrides: Record<string, unknown> = {}) {
  return {
    mode: 'cloud',
    transport: 'cookie-or-bearer',
    cloud: { apiKey: API_KEY, ...cloud },
    ...overrides,
  };
}

function validatedCloud(cloud: Record<string, unknown>, overrides: Record<string, unknown> = {}) {
  const tenant = validateIamOptions(withTenant(cloudTenant(cloud, overrides))).tenants.default;
  if (tenant === undefined) throw new Error('tenant missing');
  return tenant;
}

describe('deriveCloudEndpoints', () => {
  it('serves Kratos public, admin and Keto from the project URL of a slug', () => {
    expect(deriveCloudEndpoints({ projectSlug: 'playful-pike-1a2b3c' })).toEqual({
      kratosPublicUrl: 'https://playful-pike-1a2b3c.projects.oryapis.com',
      kratosAdminUrl: 'https://playful-pike-1a2b3c.projects.oryapis.com',
      ketoReadUrl: 'https://playful-pike-1a2b3c.projects.oryapis.com',
      ketoWriteUrl: 'https://playful-pike-1a2b3c.projects.oryapis.com',
      sessionCookieName: 'ory_session_playfulpike1a2b3c',
    });
  });

  it('uses an SDK URL as the project URL and reads the slug from an oryapis host', () => {
    expect(deriveCloudEndpoints({ sdkUrl: 'https://acme-42.projects.oryapis.com/' })).toMatchObject(
      {
        kratosPublicUrl: 'https://acme-42.projects.oryapis.com',
        kratosAdminUrl: 'https://acme-42.projects.oryapis.com',
        sessionCookieName: 'ory_session_acme42',
      },
    );
    expect(deriveCloudEndpoints({ sdkUrl: 'http://localhost:4000' })).toMatchObject({
      kratosAdminUrl: 'http://localhost:4000',
      sessionCookieName: undefined,
    });
  });

  it('moves only the browser-facing public URL to the custom domain', () => {
    expect(
      deriveCloudEndpoints({ projectSlug: 'acme', customDomain: 'auth.example.com' }),
    ).toMatchObject({
      kratosPublicUrl: 'https://auth.example.com',
      kratosAdminUrl: 'https://acme.projects.oryapis.com',
      ketoReadUrl: 'https://acme.projects.oryapis.com',
    });
    expect(
      deriveCloudEndpoints({ projectSlug: 'acme', customDomain: 'https://auth.example.com/' })
        .kratosPublicUrl,
    ).toBe('https://auth.example.com');
  });
});

describe('cloud tenants', () => {
  it('carry concrete kratos and keto configs with the API key as admin token', () => {
    const tenant = validatedCloud({ projectSlug: 'acme' });
    expect(tenant.mode).toBe('cloud');
    expect(tenant.kratos).toEqual({
      publicUrl: 'https://acme.projects.oryapis.com',
      adminUrl: 'https://acme.projects.oryapis.com',
      adminToken: API_KEY,
      sessionCookieName: 'ory_session_acme',
      tenantBinding: 'kratos-url',
      csrf: { enabled: true, trustedOrigins: [] },
    });
    expect(tenant.keto).toEqual({
      readUrl: 'https://acme.projects.oryapis.com',
      writeUrl: 'https://acme.projects.oryapis.com',
      adminToken: API_KEY,
    });
    expect(tenant.cloud).toEqual({ projectSlug: 'acme', apiKey: API_KEY });
    expect(Object.isFrozen(tenant.kratos)).toBe(true);
  });

  it('honour an explicit session cookie name', () => {
    const tenant = validatedCloud(
      { projectSlug: 'acme' },
      { kratos: { sessionCookieName: 'my_cookie' } },
    );
    expect(tenant.kratos?.sessionCookieName).toBe('my_cookie');
  });

  it('need the cookie name when it cannot be derived and the transport reads cookies', () => {
    expect(problemsOf(withTenant(cloudTenant({ sdkUrl: 'http://localhost:4000' })))).toEqual([
      "tenants.default.kratos.sessionCookieName: is required in cloud mode with transport 'cookie-or-bearer' when the project slug cannot be read from cloud.sdkUrl",
    ]);
    const bearer = validatedCloud({ sdkUrl: 'http://localhost:4000' }, { transport: 'bearer' });
    expect(bearer.kratos?.sessionCookieName).toBe('ory_kratos_session');
  });

  it('work behind Oathkeeper too', () => {
    const tenant = validatedCloud(
      { projectSlug: 'acme', customDomain: 'auth.example.com' },
      {
        transport: 'oathkeeper',
        oathkeeper: {
          jwks: { url: 'https://gw.example.com/.well-known/jwks.json' },
          audience: 'api',
        },
      },
    );
    expect(tenant.kratos?.publicUrl).toBe('https://auth.example.com');
    expect(tenant.oathkeeper?.audience).toBe('api');
  });
});

describe('cloud validation', () => {
  it('requires the cloud block and an API key', () => {
    expect(problemsOf(withTenant({ mode: 'cloud', transport: 'bearer' }))).toEqual([
      "tenants.default.cloud: is required when mode is 'cloud'",
    ]);
    expect(
      problemsOf(
        withTenant({ mode: 'cloud', transport: 'bearer', cloud: { projectSlug: 'acme' } }),
      ),
    ).toEqual(["tenants.default.cloud.apiKey: is required when mode is 'cloud'"]);
    expect(problemsOf(withTenant(cloudTenant({ projectSlug: 'acme', apiKey: '' })))).toEqual([
      'tenants.default.cloud.apiKey: must not be empty',
    ]);
  });

  it('requires exactly one of projectSlug and sdkUrl', () => {
    expect(problemsOf(withTenant(cloudTenant({})))).toEqual([
      "tenants.default.cloud: needs 'projectSlug' or 'sdkUrl' to locate the Ory Network project",
    ]);
    expect(
      problemsOf(
        withTenant(
          cloudTenant({ projectSlug: 'acme', sdkUrl: 'https://acme.projects.oryapis.com' }),
        ),
      ),
    ).toEqual([
      "tenants.default.cloud.sdkUrl: must not be set together with 'projectSlug'; set only one of them",
    ]);
  });

  it('rejects malformed slugs, SDK URLs and custom domains', () => {
    expect(problemsOf(withTenant(cloudTenant({ projectSlug: 'Acme.Corp' })))).toEqual([
      `tenants.default.cloud.projectSlug: must be a project slug such as 'playful-pike-1a2b3c' (lowercase letters, digits, hyphens), got "Acme.Corp"`,
    ]);
    expect(problemsOf(withTenant(cloudTenant({ sdkUrl: 'acme.projects.oryapis.com' })))).toEqual([
      'tenants.default.cloud.sdkUrl: must be an absolute URL starting with http:// or https://',
    ]);
    expect(
      problemsOf(
        withTenant(cloudTenant({ projectSlug: 'acme', customDomain: 'auth example.com' })),
      ),
    ).toEqual([
      'tenants.default.cloud.customDomain: must be a host name such as auth.example.com or an https URL',
    ]);
    expect(
      problemsOf(
        withTenant(cloudTenant({ projectSlug: 'acme', customDomain: 'ftp://auth.example.com' })),
      ),
    ).toEqual([
      'tenants.default.cloud.customDomain: must be a host name such as auth.example.com or an https URL',
    ]);
  });

  it('rejects URLs and tokens that cloud mode derives, and unknown cloud keys', () => {
    const tenant = cloudTenant(
      { projectSlug: 'acme', apiKei: 'x' },
      {
        kratos: { publicUrl: 'http://127.0.0.1:4433', adminToken: 'tok' },
        keto: { readUrl: 'http://127.0.0.1:4466' },
      },
    );
    expect(problemsOf(withTenant(tenant))).toEqual([
      "tenants.default.kratos.publicUrl: is derived from 'cloud' in cloud mode; remove it (or use mode 'self-hosted')",
      "tenants.default.kratos.adminToken: is derived from 'cloud' in cloud mode; remove it (or use mode 'self-hosted')",
      "tenants.default.keto: is derived from 'cloud' in cloud mode; remove it (or use mode 'self-hosted')",
      "tenants.default.cloud.apiKei: is not a known option (did you mean 'apiKey'?)",
    ]);
  });
});
