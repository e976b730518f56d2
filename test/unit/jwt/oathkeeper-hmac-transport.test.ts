/**
 * Legacy HMAC mode: the identity header is authenticated by HMAC-SHA256 with the tenant's shared
 * secret, compared with crypto.timingSafeEqual (spied on here) and never with a length-dependent
 * early exit that throws.
 */

import * as nodeCrypto from 'node:crypto';
import { createHmac } from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ValidatedTenantConfig } from '../../../src/config/tenant-config.js';
import { validateIamOptions } from '../../../src/config/validate-options.js';
import { HttpIamRequest } from '../../../src/request/http-request.js';
import { OathkeeperHmacTransport } from '../../../src/transport/oathkeeper-hmac-transport.js';
import { expectCode } from './codes.js';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const SECRET = 'a-shared-secret-of-at-least-32-characters';

function hmacTenant(oathkeeper: Record<string, unknown> = {}): ValidatedTenantConfig {
  const tenant = validateIamOptions({
    tenants: {
      default: {
        transport: 'oathkeeper',
        oathkeeper: { verifier: 'hmac', hmacSecret: SECRET, ...oathkeeper },
      },
    },
  }).tenants.default;
  if (tenant === undefined) throw new Error('no tenant');
  return tenant;
}

function transportFor(config = hmacTenant()): OathkeeperHmacTransport {
  if (config.oathkeeper === undefined) throw new Error('no oathkeeper config');
  return new OathkeeperHmacTransport(config, config.oathkeeper);
}

const sign = (value: string, secret = SECRET) =>
  createHmac('sha256', secret).update(value, 'utf8').digest('hex');

const authenticate = (headers: Record<string, string>, transport = transportFor()) =>
  transport.authenticate(new HttpIamRequest({ headers }));

const timingSafeEqual = vi.mocked(nodeCrypto.timingSafeEqual);

beforeEach(() => {
  timingSafeEqual.mockClear();
});

describe('OathkeeperHmacTransport', () => {
  it('accepts a subject signed with the shared secret, in lower or upper case hex', async () => {
    expect(
      await authenticate({ 'x-user': 'alice', 'x-user-signature': sign('alice') }),
    ).toMatchObject({
      id: 'alice',
      tenant: 'default',
      via: 'oathkeeper-hmac',
    });
    await authenticate({ 'x-user': 'alice', 'x-user-signature': sign('alice').toUpperCase() });
    expect(timingSafeEqual).toHaveBeenCalledTimes(2);
  });

  it('accepts a JSON object of claims and takes roles from the configured path', async () => {
    const value = JSON.stringify({
      sub: 'bob',
      tenant: 'default',
      metadataPublic: { roles: ['admin'] },
    });
    expect(await authenticate({ 'x-user': value, 'x-user-signature': sign(value) })).toMatchObject({
      id: 'bob',
      roles: ['admin'],
    });
  });

  it('compares with timingSafeEqual on equal-length buffers and answers 401 for a wrong signature', async () => {
    const wrong = sign('mallory');
    const error = await expectCode(
      () => authenticate({ 'x-user': 'alice', 'x-user-signature': wrong }),
      'auth.failure.invalid_signature',
    );
    expect(error.getStatus()).toBe(401);
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
    const [expected, received] = timingSafeEqual.mock.calls[0] ?? [];
    expect(Buffer.isBuffer(expected) && Buffer.isBuffer(received)).toBe(true);
    expect((expected as Buffer).length).toBe(32);
    expect((received as Buffer).length).toBe(32);
  });

  it('answers 401 for a value signed with another secret, or a tampered value', async () => {
    await expectCode(
      () =>
        authenticate({
          'x-user': 'alice',
          'x-user-signature': sign('alice', 'another-secret-of-at-least-32-characters'),
        }),
      'auth.failure.invalid_signature',
    );
    await expectCode(
      () => authenticate({ 'x-user': 'alice2', 'x-user-signature': sign('alice') }),
      'auth.failure.invalid_signature',
    );
  });

  it.each([
    ['empty', ''],
    ['too short', 'abcd'],
    ['one hex digit short', sign('alice').slice(0, 63)],
    ['one hex digit long', `${sign('alice')}0`],
    ['an HMAC-SHA512', createHmac('sha512', SECRET).update('alice').digest('hex')],
    ['base64 of the right bytes', Buffer.from(sign('alice'), 'hex').toString('base64')],
    ['64 characters that are not hex', 'z'.repeat(64)],
    ['the right hex with a space', ` ${sign('alice').slice(1)}`],
  ])('answers 401 (never a RangeError) for a signature that is %s', async (_name, signature) => {
    await expectCode(
      () => authenticate({ 'x-user': 'alice', 'x-user-signature': signature }),
      'auth.failure.invalid_signature',
    );
    for (const [a, b] of timingSafeEqual.mock.calls) {
      expect((a as Buffer).length).toBe((b as Buffer).length);
    }
  });

  it('answers 401 when the signature header is missing', async () => {
    await expectCode(() => authenticate({ 'x-user': 'alice' }), 'auth.failure.invalid_signature');
  });

  it('answers no identity without the identity header (the guard answers missing_credentials)', async () => {
    expect(await authenticate({})).toBeUndefined();
    expect(await authenticate({ 'x-user-signature': sign('alice') })).toBeUndefined();
  });

  it('refuses an empty identity header as malformed', async () => {
    await expectCode(
      () => authenticate({ 'x-user': '', 'x-user-signature': sign('') }),
      'auth.failure.malformed',
    );
  });

  it('checks the signature before parsing the claims', async () => {
    await expectCode(
      () => authenticate({ 'x-user': '{not json', 'x-user-signature': sign('other') }),
      'auth.failure.invalid_signature',
    );
    await expectCode(
      () => authenticate({ 'x-user': '{not json', 'x-user-signature': sign('{not json') }),
      'auth.failure.malformed',
    );
    const noSub = JSON.stringify({ tenant: 'default' });
    await expectCode(
      () => authenticate({ 'x-user': noSub, 'x-user-signature': sign(noSub) }),
      'auth.failure.malformed',
    );
  });

  it('refuses signed claims naming another tenant', async () => {
    const value = JSON.stringify({ sub: 'alice', tenant: 'other' });
    await expectCode(
      () => authenticate({ 'x-user': value, 'x-user-signature': sign(value) }),
      'auth.tenant_mismatch',
    );
  });

  describe('tenants sharing one secret', () => {
    const sharing = (claims?: Record<string, unknown>) => {
      const tenant = () => ({
        transport: 'oathkeeper' as const,
        oathkeeper: { verifier: 'hmac' as const, hmacSecret: SECRET },
        ...(claims !== undefined && { claims }),
      });
      const options = validateIamOptions({
        tenants: { acme: tenant(), globex: tenant() },
        tenantResolver: { header: 'X-Tenant' },
      });
      const globex = options.tenants.globex;
      if (globex === undefined) throw new Error('no tenant');
      return transportFor(globex);
    };

    it('refuse a signed header that names no tenant, saying it is missing', async () => {
      const error = await expectCode(
        () => authenticate({ 'x-user': 'alice', 'x-user-signature': sign('alice') }, sharing()),
        'auth.tenant_mismatch',
      );
      expect(error.message).toMatch(/missing/);
    });

    it("refuse the other tenant's header and accept their own", async () => {
      const acme = JSON.stringify({ sub: 'alice', tenant: 'acme' });
      await expectCode(
        () => authenticate({ 'x-user': acme, 'x-user-signature': sign(acme) }, sharing()),
        'auth.tenant_mismatch',
      );
      const globex = JSON.stringify({ sub: 'bob', tenant: 'globex' });
      expect(
        await authenticate({ 'x-user': globex, 'x-user-signature': sign(globex) }, sharing()),
      ).toMatchObject({ id: 'bob', tenant: 'globex' });
    });

    it('accept a header naming no tenant only when the operator opts out', async () => {
      const transport = sharing({ allowMissingTenant: true });
      expect(
        await authenticate({ 'x-user': 'alice', 'x-user-signature': sign('alice') }, transport),
      ).toMatchObject({ id: 'alice', tenant: 'globex' });
    });
  });

  it('reads the configured header names', async () => {
    const transport = transportFor(
      hmacTenant({ identityHeader: 'X-Identity', signatureHeader: 'X-Identity-Mac' }),
    );
    expect(
      await authenticate({ 'x-identity': 'carol', 'x-identity-mac': sign('carol') }, transport),
    ).toMatchObject({ id: 'carol' });
    expect(
      await authenticate({ 'x-user': 'carol', 'x-user-signature': sign('carol') }, transport),
    ).toBeUndefined();
  });
});
