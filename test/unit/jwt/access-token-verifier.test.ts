/**
 * Hydra-style access tokens (client credentials, `jwt` strategy) verified locally: every failure
 * code, the scope claims, no replay check, and the transport in front of the user transport.
 * Keys come from the test signer's JWKS on loopback; time is injected.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ValidatedTenantConfig } from '../../../src/config/tenant-config.js';
import { validateIamOptions } from '../../../src/config/validate-options.js';
import type { IamIdentity } from '../../../src/identity/iam-identity.js';
import { AccessTokenVerifier } from '../../../src/jwt/access-token-verifier.js';
import { JwksKeyStore } from '../../../src/jwt/jwks-key-store.js';
import { HttpIamRequest } from '../../../src/request/http-request.js';
import { type TestJwksServer, TestSigner } from '../../../src/testing/test-signer.js';
import { MachineTokenTransport } from '../../../src/transport/machine-token-transport.js';
import type { Transport } from '../../../src/transport/transport.js';
import { expectCode, segment } from './codes.js';
import { RecordingSink } from './verifier-fixtures.js';

const NOW_S = Math.floor(Date.now() / 1_000);
const HYDRA = 'http://hydra.test/';

const valid = (claims: Record<string, unknown> = {}) => ({
  iss: HYDRA,
  aud: ['inventory-api'],
  sub: 'orders-api',
  client_id: 'orders-api',
  scp: ['inventory:reserve'],
  jti: 'j-1',
  iat: NOW_S,
  nbf: NOW_S,
  exp: NOW_S + 60,
  ...claims,
});

let signer: TestSigner;
let jwks: TestJwksServer;
let tenant: ValidatedTenantConfig;
let keys: JwksKeyStore;
let clockMs: number;

function oauth2() {
  if (tenant.oauth2 === undefined) throw new Error('no oauth2 config');
  return tenant.oauth2;
}
const verifier = () => new AccessTokenVerifier(oauth2(), keys, () => clockMs);
const verify = (token: string) => verifier().verify(token);

beforeAll(async () => {
  signer = TestSigner.create({ kid: 'hydra-1' });
  jwks = await signer.serve();
  tenant =
    validateIamOptions({
      tenants: {
        default: {
          transport: 'bearer',
          kratos: { publicUrl: 'http://127.0.0.1:1' },
          oauth2: { issuer: HYDRA, audience: 'inventory-api', jwks: { url: jwks.url } },
        },
      },
    }).tenants.default ?? fail();
  keys = new JwksKeyStore(oauth2().jwks, 'default', new RecordingSink().emitter());
  await keys.refresh();
});
afterAll(async () => {
  keys.close();
  await jwks.close();
});
beforeEach(() => {
  clockMs = NOW_S * 1_000;
});

describe('AccessTokenVerifier', () => {
  it('returns the client id and the scopes of a valid token', async () => {
    const verified = await verify(signer.mint(valid({ scp: ['inventory:reserve', 'a:b'] })));
    expect(verified).toMatchObject({ clientId: 'orders-api', scope: ['inventory:reserve', 'a:b'] });
  });

  it('reads an RFC 9068 space-separated scope when there is no scp', async () => {
    const verified = await verify(signer.mint(valid({ scp: undefined, scope: 'a:b  c:d' })));
    expect(verified.scope).toEqual(['a:b', 'c:d']);
  });

  it('accepts the same token (same jti) again: access tokens are reused until exp', async () => {
    const token = signer.mint(valid());
    await verify(token);
    await expect(verify(token)).resolves.toMatchObject({ clientId: 'orders-api' });
  });

  it('refuses an expired token, within the skew only', async () => {
    const token = signer.mint(valid({ exp: NOW_S + 10 }));
    clockMs = (NOW_S + 10 + 29) * 1_000;
    await verify(token);
    clockMs = (NOW_S + 10 + 30) * 1_000;
    await expectCode(() => verify(token), 'auth.failure.expired');
  });

  it('refuses a token not valid yet', async () => {
    await expectCode(
      () => verify(signer.mint(valid({ nbf: NOW_S + 31, iat: undefined }))),
      'auth.failure.not_yet_valid',
    );
  });

  it('refuses another issuer, and a token without iss', async () => {
    await expectCode(
      () => verify(signer.mint(valid({ iss: 'http://other.test/' }))),
      'auth.failure.issuer_mismatch',
    );
    await expectCode(
      () => verify(signer.mint(valid({ iss: undefined }))),
      'auth.failure.issuer_mismatch',
    );
  });

  it('refuses a token minted for another service', async () => {
    await expectCode(
      () => verify(signer.mint(valid({ aud: ['orders-api'] }))),
      'auth.failure.audience_mismatch',
    );
  });

  it('refuses a forged key, an unlisted algorithm and alg none', async () => {
    await expectCode(
      () => verify(signer.mint(valid(), { forge: true })),
      'auth.failure.invalid_signature',
    );
    const unsigned = `${segment({ alg: 'none', kid: 'hydra-1' })}.${segment(valid())}.`;
    await expectCode(() => verify(unsigned), 'auth.failure.malformed');
  });

  it('refuses a token without client_id (not a client-credentials token)', async () => {
    await expectCode(
      () => verify(signer.mint(valid({ client_id: undefined }))),
      'auth.failure.malformed',
    );
  });

  it("refuses a user's token obtained through an OAuth2 app (subject is not the client)", async () => {
    await expectCode(
      () => verify(signer.mint(valid({ sub: 'a-kratos-identity-id' }))),
      'auth.failure.malformed',
    );
  });

  it('refuses a malformed scp', async () => {
    await expectCode(() => verify(signer.mint(valid({ scp: 'a b' }))), 'auth.failure.malformed');
  });
});

describe('MachineTokenTransport', () => {
  const user: IamIdentity = {
    id: 'alice',
    kind: 'user',
    tenant: 'default',
    roles: [],
    via: 'kratos-bearer',
  };
  const users: Transport & { seen: number } = {
    seen: 0,
    async authenticate() {
      this.seen += 1;
      return user;
    },
  };
  const request = (authorization: string) => new HttpIamRequest({ headers: { authorization } });
  const transport = () =>
    new MachineTokenTransport(tenant, oauth2(), keys, verifier(), users, () => clockMs);

  it('turns a JWT access token into a service identity with its scopes', async () => {
    const identity = await transport().authenticate(request(`Bearer ${signer.mint(valid())}`));
    expect(identity).toMatchObject({
      id: 'orders-api',
      kind: 'service',
      scope: ['inventory:reserve'],
      roles: [],
      via: 'oauth2-access-token',
    });
    expect(Object.isFrozen(identity)).toBe(true);
  });

  it('passes an opaque Kratos session token to the user transport', async () => {
    const before = users.seen;
    const identity = await transport().authenticate(request('Bearer ory_st_abcdef'));
    expect(identity).toBe(user);
    expect(users.seen).toBe(before + 1);
  });

  it('refuses an opaque token where no Kratos bearer transport reads the header', async () => {
    const oathkeeperTenant = { ...tenant, transport: 'oathkeeper' as const };
    const machine = new MachineTokenTransport(
      oathkeeperTenant,
      oauth2(),
      keys,
      verifier(),
      users,
      () => clockMs,
    );
    const before = users.seen;
    await expectCode(
      () => machine.authenticate(request('Bearer opaque-token')),
      'auth.failure.malformed',
    );
    expect(users.seen).toBe(before);
  });

  it('fails closed: an invalid JWT never reaches the user transport', async () => {
    const before = users.seen;
    await expectCode(
      () => transport().authenticate(request(`Bearer ${signer.mint(valid({ aud: 'x' }))}`)),
      'auth.failure.audience_mismatch',
    );
    expect(users.seen).toBe(before);
  });

  it('stops serving a cached token once it expires', async () => {
    const machine = transport();
    const token = `Bearer ${signer.mint(valid({ exp: NOW_S + 5 }))}`;
    await machine.authenticate(request(token));
    clockMs = (NOW_S + 5 + 30) * 1_000;
    await expectCode(() => machine.authenticate(request(token)), 'auth.failure.expired');
  });
});

function fail(): never {
  throw new Error('missing tenant');
}
