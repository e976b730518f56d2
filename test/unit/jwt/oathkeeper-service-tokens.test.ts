/**
 * Machine callers through Oathkeeper: a JWT whose `iss` is the tenant's `serviceIssuer` becomes a
 * service identity (client id, scope), with the same checks and replay policy as a user's, and
 * fails closed at every edge. Every case runs through both the promise path (`authenticate`) and
 * the synchronous one (`authenticateNow`), which must accept and refuse exactly the same tokens.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { IamErrorCode } from '../../../src/errors/error-codes.js';
import type { IamIdentity } from '../../../src/identity/iam-identity.js';
import { OathkeeperJwtVerifier } from '../../../src/jwt/oathkeeper-jwt-verifier.js';
import { InMemoryReplayCache } from '../../../src/replay/in-memory-replay-cache.js';
import { HttpIamRequest } from '../../../src/request/http-request.js';
import { OathkeeperJwtTransport } from '../../../src/transport/oathkeeper-jwt-transport.js';
import { expectCode } from './codes.js';
import { AUDIENCE, ISSUER, jwtTenant, useWarmKeys } from './verifier-fixtures.js';

const SERVICE_ISSUER = 'https://oathkeeper.test/services';
const CLIENT = 'orders-api';
const warm = useWarmKeys();
let clockMs: number;

beforeEach(() => {
  clockMs = Math.floor(Date.now() / 1_000) * 1_000;
});

type Path = 'authenticate' | 'authenticateNow';
const PATHS: readonly Path[] = ['authenticate', 'authenticateNow'];

function transportFor(oathkeeper: Record<string, unknown> = {}) {
  const { jwks, keys } = warm();
  const tenant = jwtTenant(jwks.url, {
    issuer: ISSUER,
    serviceIssuer: SERVICE_ISSUER,
    replayProtection: { enabled: true },
    ...oathkeeper,
  });
  const config = tenant.oathkeeper;
  if (config === undefined) throw new Error('no oathkeeper config');
  const replay = new InMemoryReplayCache({}, () => clockMs);
  const verifier = new OathkeeperJwtVerifier(tenant, config, keys, replay, () => clockMs);
  return {
    transport: new OathkeeperJwtTransport(tenant, config, keys, verifier, () => clockMs),
    verifier,
    replay,
  };
}

const nowS = () => clockMs / 1_000;
/** What a service rule's id_token mutator mints (the contract's claims template). */
const mintService = (claims: Record<string, unknown> = {}) =>
  warm().signer.mint({
    iss: SERVICE_ISSUER,
    sub: CLIENT,
    aud: [AUDIENCE],
    tenant: 'default',
    client_id: CLIENT,
    scope: 'inventory:reserve inventory:read',
    iat: nowS(),
    nbf: nowS(),
    exp: nowS() + 60,
    ...claims,
  });
const mintUser = (claims: Record<string, unknown> = {}) =>
  warm().signer.mint({
    iss: ISSUER,
    sub: 'alice',
    aud: AUDIENCE,
    tenant: 'default',
    iat: nowS(),
    nbf: nowS(),
    exp: nowS() + 60,
    ...claims,
  });
const request = (token: string) => new HttpIamRequest({ headers: { 'x-user': token } });

async function authenticate(
  transport: OathkeeperJwtTransport,
  path: Path,
  token: string,
): Promise<IamIdentity | undefined> {
  return path === 'authenticate'
    ? transport.authenticate(request(token))
    : transport.authenticateNow(request(token));
}

describe.each(PATHS)('service tokens through Oathkeeper (%s)', (path) => {
  it('become a service identity: client id, parsed scope, no roles, the token exp', async () => {
    const { transport } = transportFor();
    const identity = await authenticate(
      transport,
      path,
      mintService({
        scope: ' inventory:reserve  inventory:read ',
        metadataPublic: { roles: ['admin'] },
      }),
    );
    expect(identity).toMatchObject({
      id: CLIENT,
      kind: 'service',
      tenant: 'default',
      roles: [],
      scope: ['inventory:reserve', 'inventory:read'],
      via: 'oathkeeper-jwt',
      expiresAt: (nowS() + 60) * 1_000,
    });
    expect(identity?.metadataPublic).toBeUndefined();
    expect(Object.isFrozen(identity) && Object.isFrozen(identity?.scope)).toBe(true);
  });

  it('grant no scope when scope is empty or absent', async () => {
    const { transport } = transportFor();
    expect((await authenticate(transport, path, mintService({ scope: '' })))?.scope).toEqual([]);
    const { transport: other } = transportFor();
    expect((await authenticate(other, path, mintService({ scope: undefined })))?.scope).toEqual([]);
  });

  it.each<[string, Record<string, unknown>]>([
    ['client_id missing (a user rule with the service issuer)', { client_id: undefined }],
    ['client_id empty (what the template renders without an OAuth2 client)', { client_id: '' }],
    ['client_id another client than the subject', { client_id: 'billing-api' }],
    ['client_id not a string', { client_id: 42 }],
    ['scope a number', { scope: 7 }],
    ['scope an array', { scope: ['inventory:reserve'] }],
    ['scp not an array of strings', { scp: [1] }],
  ])('are refused as malformed with %s', async (_, claims) => {
    const { transport, replay } = transportFor();
    const claim = vi.spyOn(replay, 'claimSync');
    const error = await expectCode(
      () => authenticate(transport, path, mintService(claims)),
      'auth.failure.malformed',
    );
    expect(error.message).not.toContain(CLIENT);
    // Refused before the replay step: a malformed token's jti is never held.
    expect(claim).not.toHaveBeenCalled();
  });

  it.each<[string, Record<string, unknown>, IamErrorCode]>([
    ["another service's audience", { aud: ['billing-api'] }, 'auth.failure.audience_mismatch'],
    ["another tenant's token", { tenant: 'acme' }, 'auth.tenant_mismatch'],
    ['an issuer that is neither', { iss: `${SERVICE_ISSUER}/` }, 'auth.failure.issuer_mismatch'],
    ['no issuer', { iss: undefined }, 'auth.failure.issuer_mismatch'],
    ['an expired token', { exp: 0 }, 'auth.failure.expired'],
  ])('are refused with %s', async (_, claims, code) => {
    const { transport } = transportFor();
    await expectCode(() => authenticate(transport, path, mintService(claims)), code);
  });

  it('are refused (issuer mismatch) by a tenant without serviceIssuer', async () => {
    const { transport } = transportFor({ serviceIssuer: undefined });
    await expectCode(
      () => authenticate(transport, path, mintService()),
      'auth.failure.issuer_mismatch',
    );
  });

  it('are refused when replayed, with replay protection on', async () => {
    const { transport, replay } = transportFor();
    const claim = vi.spyOn(replay, 'claimSync');
    const token = mintService();
    expect((await authenticate(transport, path, token))?.kind).toBe('service');
    await expectCode(() => authenticate(transport, path, token), 'auth.failure.replay');
    expect(claim).toHaveBeenCalledTimes(2);
  });

  it('need a jti with replay protection on, as users do', async () => {
    const { transport } = transportFor();
    await expectCode(
      () => authenticate(transport, path, mintService({ jti: undefined })),
      'auth.failure.malformed',
    );
  });

  it('keep a user token with client_id and scope claims a user, without scope', async () => {
    const { transport } = transportFor();
    const identity = await authenticate(
      transport,
      path,
      mintUser({
        client_id: 'alice',
        scope: 'inventory:reserve',
        metadataPublic: { roles: ['a'] },
      }),
    );
    expect(identity).toMatchObject({ id: 'alice', kind: 'user', roles: ['a'] });
    expect(identity?.scope).toBeUndefined();
  });
});

describe('service tokens: the synchronous path', () => {
  it('answers without a promise when nothing has to be waited for, users and services alike', () => {
    const { transport } = transportFor();
    const service = transport.authenticateNow(request(mintService()));
    const user = transport.authenticateNow(request(mintUser()));
    expect(service).not.toBeInstanceOf(Promise);
    expect(user).not.toBeInstanceOf(Promise);
    expect((service as IamIdentity).kind).toBe('service');
    expect((user as IamIdentity).kind).toBe('user');
  });
});

describe('service tokens: the verified-token cache (replay protection off)', () => {
  it('serves a resent service token as the service, verified once', async () => {
    const { transport, verifier } = transportFor({ replayProtection: { enabled: false } });
    const verify = vi.spyOn(verifier, 'verifyNow');
    const token = mintService();
    const first = await transport.authenticate(request(token));
    for (let i = 0; i < 3; i += 1) {
      const again = transport.authenticateNow(request(token));
      expect(again).toBe(first);
      expect((again as IamIdentity).kind).toBe('service');
    }
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('never caches a refused service token', async () => {
    const { transport, verifier } = transportFor({ replayProtection: { enabled: false } });
    const verify = vi.spyOn(verifier, 'verifyNow');
    const token = mintService({ client_id: '' });
    for (let i = 0; i < 3; i += 1) {
      await expectCode(() => transport.authenticate(request(token)), 'auth.failure.malformed');
    }
    expect(verify).toHaveBeenCalledTimes(3);
  });
});
