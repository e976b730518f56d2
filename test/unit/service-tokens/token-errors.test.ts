import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { IamUpstreamUnavailableError } from '../../../src/errors/iam-errors.js';
import { readTokenAnswer } from '../../../src/ory/hydra/token-answer.js';
import { hydraRefusal } from '../../../src/ory/hydra/token-refusal.js';
import { OryResponseError } from '../../../src/ory/ory-call.js';
import { ServiceToken } from '../../../src/service-tokens/service-token.js';

const SECRET = 's3cr3t+/with=odd&chars';
const ANSWER = { access_token: 'eyJ.abc.def', token_type: 'bearer', expires_in: 299, scope: 'a b' };

/** Everything an error could leak through: message, body, reason, and what a logger prints. */
function everythingIn(error: IamUpstreamUnavailableError): string {
  return [
    error.message,
    JSON.stringify(error.getResponse()),
    error.reason,
    inspect(error, { depth: 10 }),
  ].join('\n');
}

describe('readTokenAnswer', () => {
  it('reads an RFC 6749 bearer token answer', () => {
    expect(readTokenAnswer(200, ANSWER)).toEqual({
      accessToken: 'eyJ.abc.def',
      expiresInMs: 299_000,
      scope: ['a', 'b'],
    });
    expect(readTokenAnswer(200, { ...ANSWER, token_type: 'Bearer', scope: undefined }).scope).toBe(
      undefined,
    );
  });

  it.each([
    ['a list', [ANSWER], /not a JSON object/],
    ['no token', { ...ANSWER, access_token: '' }, /access_token/],
    ['a token with a line break', { ...ANSWER, access_token: 'a\r\nX-Evil: 1' }, /access_token/],
    ['another token type', { ...ANSWER, token_type: 'mac' }, /token_type/],
    ['no expiry', { ...ANSWER, expires_in: undefined }, /expires_in/],
    ['an expiry as text', { ...ANSWER, expires_in: '3600' }, /expires_in/],
    ['a negative expiry', { ...ANSWER, expires_in: -1 }, /expires_in/],
    ['a century', { ...ANSWER, expires_in: 100 * 365 * 24 * 3600 }, /expires_in/],
    ['a scope list', { ...ANSWER, scope: ['a'] }, /scope/],
  ])('refuses %s as malformed, without quoting the answer', (_, answer, problem) => {
    const attempt = () => readTokenAnswer(200, answer);
    expect(attempt).toThrow(problem);
    expect(attempt).not.toThrow(/eyJ|X-Evil/);
  });

  it('refuses a 2xx other than 200', () => {
    expect(() => readTokenAnswer(204, ANSWER)).toThrow(/status 204/);
  });
});

describe('hydraRefusal', () => {
  it('maps a refusal to 503 service_token.rejected naming Hydra’s error, never the secret', () => {
    const refusal = new OryResponseError('Hydra token', 401, {
      error: 'invalid_client',
      error_description: `Client authentication failed; got ${SECRET}`,
    });
    const error = hydraRefusal('Hydra token', refusal, SECRET);
    expect(error).toBeInstanceOf(IamUpstreamUnavailableError);
    expect(error.getStatus()).toBe(503);
    expect(error.code).toBe('service_token.rejected');
    expect(error.retryAfterSeconds).toBe(30);
    expect(error.reason).toMatch(/^Hydra token: HTTP 401 invalid_client: Client authentication/);
    expect(everythingIn(error)).not.toContain(SECRET);
    expect(everythingIn(error)).not.toContain(encodeURIComponent(SECRET));
  });

  it('maps an outage to 503 service_token.unavailable, keeping the upstream’s Retry-After', () => {
    const outage = new IamUpstreamUnavailableError('Hydra token is unavailable.', 7, {
      reason: 'Hydra token: ECONNREFUSED 127.0.0.1:4444 (3 attempts)',
    });
    const error = hydraRefusal('Hydra token', outage, SECRET);
    expect(error).toMatchObject({
      code: 'service_token.unavailable',
      retryAfterSeconds: 7,
      reason: 'Hydra token: ECONNREFUSED 127.0.0.1:4444 (3 attempts)',
    });
  });

  it('lets the breaker’s and the bulkhead’s own 503 through', () => {
    for (const code of ['upstream.circuit_open', 'upstream.saturated'] as const) {
      const refusal = new IamUpstreamUnavailableError(undefined, 4, { code });
      expect(hydraRefusal('Hydra token', refusal, SECRET)).toBe(refusal);
    }
  });

  it('never carries the SDK error, whose config holds the credentials and the form', () => {
    const sdkError = Object.assign(new Error(`Request failed: ${SECRET}`), {
      isAxiosError: true,
      code: 'ECONNRESET',
      config: {
        url: `http://orders-api:pw@127.0.0.1:4444/oauth2/token?client_secret=${SECRET}`,
        auth: { username: 'orders-api', password: SECRET },
        data: `grant_type=client_credentials&client_secret=${encodeURIComponent(SECRET)}`,
      },
    });
    const error = hydraRefusal('Hydra token', sdkError, SECRET);
    expect(error.code).toBe('service_token.unavailable');
    expect(error.reason).toBe('Hydra token: ECONNRESET from http://127.0.0.1:4444/oauth2/token');
    expect(everythingIn(error)).not.toContain(SECRET);
    expect(error.cause).toBe(undefined);
  });
});

describe('ServiceToken', () => {
  it('never shows the token when logged or serialized', () => {
    const token = new ServiceToken('eyJ.secret-token.sig', ['inventory-api'], ['a'], new Date(0));
    expect(token.authorization).toBe('Bearer eyJ.secret-token.sig');
    expect(JSON.stringify(token)).toBe(
      '{"audience":["inventory-api"],"scope":["a"],"expiresAt":"1970-01-01T00:00:00.000Z"}',
    );
    expect(inspect(token, { depth: 5, showHidden: true })).not.toContain('secret-token');
  });
});
