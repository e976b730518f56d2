import { describe, expect, it } from 'vitest';
import { validateIamOptions } from '../../../src/config/validate-options.js';
import { IamConfigurationError } from '../../../src/errors/iam-errors.js';
import { messageOf, ordersApiOptions, problemsOf } from './fixtures.js';

describe('one error listing every problem', () => {
  const broken = {
    global: 'yes',
    tenants: {
      default: {
        transport: 'oathkeeper',
        trustProxy: 'no',
        oathkeeper: {
          verifier: 'jwt',
          jwks: { url: 'localhost:4456', algorithms: ['HS256'], refreshIntervalMs: -5 },
          replayProtecton: { enabled: true },
          clockSkewMs: 1.5,
        },
        http: { timeoutMs: '3000' },
      },
      web: { transport: 'cookie', kratos: { publicUrl: 'ftp://kratos' } },
    },
    replayCache: {},
  };

  it('reports all problems across tenants at once, each under its path', () => {
    expect(problemsOf(broken)).toEqual([
      'tenants.default.trustProxy: must be true or false, got "no" (a string)',
      "tenants.default.oathkeeper.replayProtecton: is not a known option (did you mean 'replayProtection'?)",
      "tenants.default.oathkeeper.audience: is required when transport is 'oathkeeper' and verifier is 'jwt'",
      'tenants.default.oathkeeper.jwks.url: must be an absolute URL starting with http:// or https://',
      "tenants.default.oathkeeper.jwks.algorithms[0]: 'HS256' is an HMAC algorithm and is never accepted for JWTs (anyone with the published key could sign); use verifier 'hmac' for the shared-secret mode",
      'tenants.default.oathkeeper.jwks.refreshIntervalMs: must be a positive integer (milliseconds), got -5',
      'tenants.default.oathkeeper.clockSkewMs: must be a non-negative integer (milliseconds), got 1.5',
      'tenants.default.http.timeoutMs: must be a positive integer (milliseconds), got "3000" (a string); convert environment values with Number()',
      "tenants.web.kratos.publicUrl: must be an http or https URL, got protocol 'ftp:'",
      'global: must be true or false, got "yes" (a string)',
      'tenantResolver: is required with several tenants and no defaultTenant (tenants: default, web)',
      'replayCache.seen: must be a function (it is missing)',
      'replayCache.remember: must be a function (it is missing)',
    ]);
  });

  it('throws an IamConfigurationError whose message counts and lists the problems', () => {
    expect(() => validateIamOptions(broken)).toThrow(IamConfigurationError);
    const message = messageOf(broken);
    expect(message).toMatch(/^Invalid IamModule configuration \(13 problems\):\n {2}- /);
    expect(message).toContain('\n  - tenants.web.kratos.publicUrl: ');
  });
});

describe('secrets never reach the error message', () => {
  const adminToken = 'ory_pat_SECRET_ADMIN_TOKEN_1234\n';
  const ketoToken = 'SECRET KETO TOKEN';
  const hmacSecret = 'SECRET-hmac-too-short';
  const apiKey = 'ory_pat_SECRET_API_KEY ';
  const credentialUrl = 'https://user:SECRET_PASSWORD@kratos.example.com';

  const leaky = {
    tenants: {
      a: {
        transport: 'cookie',
        kratos: { publicUrl: credentialUrl, adminUrl: 'http://k:4434', adminToken },
        keto: { readUrl: 'http://keto:4466', adminToken: ketoToken },
      },
      b: { transport: 'oathkeeper', oathkeeper: { verifier: 'hmac', hmacSecret } },
      c: { mode: 'cloud', transport: 'bearer', cloud: { projectSlug: 'acme', apiKey } },
      d: { transport: 'oathkeeper', oathkeeper: { verifier: 'hmac', hmacSecret: 12345678901234 } },
    },
    defaultTenant: 'a',
  };

  it('names the path and the problem without the value', () => {
    const message = messageOf(leaky);
    expect(problemsOf(leaky)).toEqual([
      'tenants.a.kratos.publicUrl: must not contain credentials; use the adminToken/apiKey option instead',
      'tenants.a.kratos.adminToken: must not contain whitespace or line breaks (check how it is loaded)',
      'tenants.a.keto.adminToken: must not contain whitespace or line breaks (check how it is loaded)',
      'tenants.b.oathkeeper.hmacSecret: must be at least 32 characters long',
      'tenants.c.cloud.apiKey: must not contain whitespace or line breaks (check how it is loaded)',
      'tenants.d.oathkeeper.hmacSecret: must be a string, got a number',
    ]);
    for (const secret of ['SECRET', '12345678901234', 'hmac-too-short']) {
      expect(message).not.toContain(secret);
    }
  });
});

describe('the validated options are frozen all the way down', () => {
  it('throws on mutation in strict mode (ES modules are strict)', () => {
    const validated = validateIamOptions(ordersApiOptions);
    const tenant = validated.tenants.default;
    if (tenant?.oathkeeper?.jwks === undefined) throw new Error('expected a JWT tenant');
    const jwks = tenant.oathkeeper.jwks;

    expect(() => Object.assign(validated, { global: false })).toThrow(TypeError);
    expect(() => Object.assign(validated.tenants, { other: tenant })).toThrow(TypeError);
    expect(() => Object.assign(tenant, { transport: 'cookie' })).toThrow(TypeError);
    expect(() => Object.assign(tenant.oathkeeper ?? {}, { audience: 'evil' })).toThrow(TypeError);
    expect(() => Object.assign(jwks, { url: 'http://evil' })).toThrow(TypeError);
    expect(() => (jwks.algorithms as string[]).push('HS256')).toThrow(TypeError);
    expect(() =>
      Object.assign(tenant.oathkeeper?.replayProtection ?? {}, { enabled: false }),
    ).toThrow(TypeError);
    expect(() => (tenant.claims.roles as string[]).push('admin')).toThrow(TypeError);
    expect(() => Object.assign(tenant.http, { retries: 99 })).toThrow(TypeError);
    expect(jwks.algorithms).toEqual(['RS256']);
  });

  it('hands every call its own result, so one validation cannot affect another', () => {
    const first = validateIamOptions(ordersApiOptions);
    const second = validateIamOptions(ordersApiOptions);
    expect(first).toStrictEqual(second);
    expect(first.tenants.default).not.toBe(second.tenants.default);
  });
});
