import { describe, expect, it } from 'vitest';
import { IamUnauthorizedError } from '../../../src/errors/iam-errors.js';
import { HttpIamRequest } from '../../../src/request/http-request.js';
import {
  type KratosTransportKind,
  sessionCredentialOf,
} from '../../../src/transport/kratos-credentials.js';

const COOKIE = 'ory_kratos_session';
const KRATOS_COOKIE_VALUE =
  'MTcwMDAwMDAwMHxEdi1CQkFFQ180SUFBUkFCRUFBQVJfLUNBQUVHYzNSeWFXNW5EQThBRFhObGMzTnBiMjVmZEc5clpXND18';
const TOKEN = 'ory_st_2Vb9eW8cPCPXjrZjL4mJ5yXqkQF1tD0A';

function credentialOf(
  headers: Record<string, string>,
  transport: KratosTransportKind = 'cookie-or-bearer',
) {
  return sessionCredentialOf(new HttpIamRequest({ headers }), transport, COOKIE);
}

function rejectionOf(headers: Record<string, string>, transport?: KratosTransportKind) {
  try {
    credentialOf(headers, transport);
  } catch (error) {
    if (error instanceof IamUnauthorizedError) return error.code;
    throw error;
  }
  throw new Error('expected the request to be rejected');
}

describe('session credentials', () => {
  it('takes only the session cookie out of the Cookie header', () => {
    expect(
      credentialOf({ cookie: `theme=dark; ${COOKIE}=${KRATOS_COOKIE_VALUE}; csrf=abc` }, 'cookie'),
    ).toEqual({ kind: 'cookie', value: KRATOS_COOKIE_VALUE });
  });

  it('reads X-Session-Token and Authorization: Bearer (scheme in any case)', () => {
    expect(credentialOf({ 'x-session-token': TOKEN }, 'bearer')).toEqual({
      kind: 'token',
      value: TOKEN,
    });
    expect(credentialOf({ authorization: `bearer  ${TOKEN}` }, 'bearer')).toEqual({
      kind: 'token',
      value: TOKEN,
    });
    expect(
      credentialOf({ authorization: `Bearer ${TOKEN}`, 'x-session-token': TOKEN }, 'bearer'),
    ).toEqual({ kind: 'token', value: TOKEN });
  });

  it('answers undefined when the transport finds no credential of its kind', () => {
    expect(credentialOf({})).toBeUndefined();
    expect(credentialOf({ authorization: `Bearer ${TOKEN}` }, 'cookie')).toBeUndefined();
    expect(credentialOf({ cookie: `${COOKIE}=${KRATOS_COOKIE_VALUE}` }, 'bearer')).toBeUndefined();
    expect(credentialOf({ cookie: 'theme=dark' }, 'cookie')).toBeUndefined();
    expect(credentialOf({ cookie: `${COOKIE}=` }, 'cookie')).toBeUndefined();
    expect(credentialOf({ authorization: 'Basic dXNlcjpwYXNz' }, 'bearer')).toBeUndefined();
  });

  it('prefers the token over the cookie with cookie-or-bearer, forwarding only one', () => {
    expect(
      credentialOf({ cookie: `${COOKIE}=${KRATOS_COOKIE_VALUE}`, 'x-session-token': TOKEN }),
    ).toEqual({ kind: 'token', value: TOKEN });
    expect(credentialOf({ cookie: `${COOKIE}=${KRATOS_COOKIE_VALUE}` })).toEqual({
      kind: 'cookie',
      value: KRATOS_COOKIE_VALUE,
    });
  });

  it('rejects malformed credentials as 401 auth.failure.malformed', () => {
    expect(rejectionOf({ authorization: 'Bearer' }, 'bearer')).toBe('auth.failure.malformed');
    expect(rejectionOf({ authorization: 'Bearer a b' }, 'bearer')).toBe('auth.failure.malformed');
    expect(rejectionOf({ 'x-session-token': 'tok;en' }, 'bearer')).toBe('auth.failure.malformed');
    expect(rejectionOf({ 'x-session-token': 'x'.repeat(4_097) }, 'bearer')).toBe(
      'auth.failure.malformed',
    );
    // A percent-encoded line break decodes to a value that must never reach an outgoing header.
    expect(rejectionOf({ cookie: `${COOKIE}=abc%0D%0AX-Evil:%201` }, 'cookie')).toBe(
      'auth.failure.malformed',
    );
    expect(rejectionOf({ cookie: `${COOKIE}="a b"` }, 'cookie')).toBe('auth.failure.malformed');
  });

  it('rejects two different tokens rather than guessing which one the client meant', () => {
    expect(
      rejectionOf({ authorization: `Bearer ${TOKEN}`, 'x-session-token': `${TOKEN}x` }, 'bearer'),
    ).toBe('auth.failure.malformed');
  });

  it('fails cookie-or-bearer when either credential is malformed, even if the other is fine', () => {
    expect(rejectionOf({ cookie: `${COOKIE}=a%00b`, 'x-session-token': TOKEN })).toBe(
      'auth.failure.malformed',
    );
    expect(
      rejectionOf({ cookie: `${COOKIE}=${KRATOS_COOKIE_VALUE}`, authorization: 'Bearer' }),
    ).toBe('auth.failure.malformed');
  });
});
