import { describe, expect, it } from 'vitest';
import type { ValidatedCsrfConfig } from '../../../src/config/tenant-config.js';
import { validateIamOptions } from '../../../src/config/validate-options.js';
import { IamConfigurationError } from '../../../src/index.js';
import { HttpIamRequest } from '../../../src/request/http-request.js';
import { checkCsrfOrigin } from '../../../src/transport/csrf-origin.js';

const ON: ValidatedCsrfConfig = { enabled: true, trustedOrigins: ['https://app.example.com'] };

function request(method: string, headers: Record<string, string>) {
  return new HttpIamRequest({
    method,
    url: '/orders',
    headers: { host: 'api.example.com', ...headers },
  });
}

const check =
  (method: string, headers: Record<string, string>, csrf = ON, trustProxy = false) =>
  () =>
    checkCsrfOrigin(request(method, headers), csrf, trustProxy);

describe('checkCsrfOrigin', () => {
  it.each(['GET', 'HEAD', 'OPTIONS', 'get'])('lets %s through from any site', (method) => {
    expect(
      check(method, { 'sec-fetch-site': 'cross-site', origin: 'https://evil.test' }),
    ).not.toThrow();
  });

  it.each(['POST', 'PUT', 'PATCH', 'DELETE', 'post'])('refuses a cross-site %s', (method) => {
    expect(check(method, { 'sec-fetch-site': 'cross-site', origin: 'https://evil.test' })).toThrow(
      expect.objectContaining({ code: 'auth.csrf.origin_mismatch' }),
    );
  });

  it.each([
    ['same-origin', {}, true],
    ['none (typed in the address bar)', { 'sec-fetch-site': 'none' }, true],
    ['same-origin by Sec-Fetch-Site', { 'sec-fetch-site': 'same-origin' }, true],
    [
      'a sibling subdomain',
      { 'sec-fetch-site': 'same-site', origin: 'https://evil.example.com' },
      false,
    ],
    [
      'a trusted origin',
      { 'sec-fetch-site': 'cross-site', origin: 'https://app.example.com' },
      true,
    ],
    [
      'a trusted origin on another port',
      { 'sec-fetch-site': 'cross-site', origin: 'https://app.example.com:8443' },
      false,
    ],
    [
      'another site whatever the Origin host says',
      { 'sec-fetch-site': 'cross-site', origin: 'https://api.example.com' },
      false,
    ],
    ['an unknown Sec-Fetch-Site value', { 'sec-fetch-site': 'whatever' }, false],
    ['Origin of the request host (no Sec-Fetch-Site)', { origin: 'https://api.example.com' }, true],
    ['Origin of another host (no Sec-Fetch-Site)', { origin: 'https://evil.test' }, false],
    ['Origin null (sandboxed page)', { origin: 'null' }, false],
    ['a trusted Origin (no Sec-Fetch-Site)', { origin: 'https://app.example.com' }, true],
  ] as const)('POST from %s', (_name, headers, allowed) => {
    const run = check('POST', headers);
    if (allowed) expect(run).not.toThrow();
    else
      expect(run).toThrow(
        expect.objectContaining({ code: 'auth.csrf.origin_mismatch', status: 403 }),
      );
  });

  it('trusts X-Forwarded-Host for the own host only with trustProxy', () => {
    const headers = {
      origin: 'https://public.example.com',
      'x-forwarded-host': 'public.example.com',
    };
    expect(check('POST', headers, ON, true)).not.toThrow();
    expect(check('POST', headers, ON, false)).toThrow();
  });

  it('checks nothing when disabled', () => {
    const off = { enabled: false, trustedOrigins: [] };
    expect(check('POST', { 'sec-fetch-site': 'cross-site' }, off)).not.toThrow();
  });
});

describe('kratos.csrf options', () => {
  const tenant = (csrf?: unknown) => ({
    tenants: {
      default: {
        transport: 'cookie',
        kratos: { publicUrl: 'http://127.0.0.1:4433', ...(csrf === undefined ? {} : { csrf }) },
      },
    },
  });

  it('is on by default, trusting no other origin', () => {
    expect(validateIamOptions(tenant()).tenants.default?.kratos?.csrf).toEqual({
      enabled: true,
      trustedOrigins: [],
    });
  });

  it('takes trusted origins and an opt-out', () => {
    expect(
      validateIamOptions(tenant({ enabled: false, trustedOrigins: ['https://app.example.com'] }))
        .tenants.default?.kratos?.csrf,
    ).toEqual({ enabled: false, trustedOrigins: ['https://app.example.com'] });
  });

  it('lists every origin that is not exactly an origin, and unknown keys', () => {
    expect(() =>
      validateIamOptions(
        tenant({
          trustedOrigins: ['https://app.example.com/', 'app.example.com', 'https://ok.test'],
          origins: [],
        }),
      ),
    ).toThrow(
      expect.objectContaining({
        problems: [
          expect.stringContaining('tenants.default.kratos.csrf.origins'),
          expect.stringContaining(
            'tenants.default.kratos.csrf.trustedOrigins[0]: must be an origin',
          ),
          expect.stringContaining(
            'tenants.default.kratos.csrf.trustedOrigins[1]: must be an origin',
          ),
        ],
      }),
    );
    expect(() => validateIamOptions(tenant({ enabled: 'yes' }))).toThrow(IamConfigurationError);
  });
});
