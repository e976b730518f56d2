/**
 * Machine callers through Oathkeeper: a JWT whose `iss` is the tenant's `serviceIssuer` becomes a
 * service identity (client id, scope), with the same checks and replay policy as a user's, and
 * fails closed at every edge. Every case runs through the synchronous path (`authenticateNow`, warm
 * keys, in-process replay cache), `authenticate` over the same, and the fully asynchronous one (a
 * key store that must fetch the JWKS first, a replay store that answers with a promise): all three
 * must accept and refuse exactly the same tokens.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { IamErrorCode } from '../../../src/errors/error-codes.js';
import type { IamIdentity } from '../../../src/identity/iam-identity.js';
import { JwksKeyStore } from '../../../src/jwt/jwks-key-store.js';
import { OathkeeperJwtVerifier } from '../../../src/jwt/oathkeeper-jwt-verifier.js';
import { InMemoryReplayCache } from '../../../src/replay/in-memory-replay-cache.js';
import { HttpIamRequest } from '../../../src/request/http-request.js';
import { OathkeeperJwtTransport } from '../../../src/transport/oathkeeper-jwt-transport.js';
import { expectCode } from './codes.js';
import {
  AUDIENCE,
  ISSUER,
  jwtTenant,
  RecordingSink,
  SpyReplayCache,
  useWarmKeys,
} from './verifier-fixtures.js';

const SERVICE_ISSUER = 'https://oathkeeper.test/services';
const CLIENT = 'orders-api';
const warm = useWarmKeys();
let clockMs: number;

beforeEach(() => {
  clockMs = Math.floor(Date.now() / 1_000) * 1_000;
});

const coldStores: JwksKeyStore[] = [];
afterEach(() => {
  for (const store of coldStores.splice(0)) store.close();
});

type Path = 'authenticate' | 'authenticateNow' | 'cold keys, async replay store';
const PATHS: readonly Path[] = ['authenticate', 'authenticateNow', 'cold keys, async replay store'];

/** A transport for `path`; `claims()` counts the jtis handed to the replay store so far. */
function transportFor(path: Path, oathkeeper: Record<string, unknown> = {}) {
  const { jwks, keys: warmKeys } = warm();
  const tenant = jwtTenant(jwks.url, {
    issuer: ISSUER,
    serviceIssuer: SERVICE_ISSUER,
    replayProtection: { enabled: true },
    ...oathkeeper,
  });
  const config = tenant.oathkeeper;
  if (config?.jwks === undefined) throw new Error('no oathkeeper config');
  let keys = warmKeys;
  let claims: () => number;
  let replay: InMemoryReplayCache | SpyReplayCache;
  if (path === 'cold keys, async replay store') {
    keys = new JwksKeyStore(config.jwks, 'default', new RecordingSink().emitter());
    coldStores.push(keys);
    const spy = new SpyReplayCache();
    claims = () => spy.calls.filter((call) => call.startsWith('claim ')).length;
    replay = spy;
  } else {
    const inProcess = new InMemoryReplayCache({}, () => clockMs);
    const claimSync = vi.spyOn(inProcess, 'claimSync');
    claims = () => claimSync.mock.calls.length;
    replay = inProcess;
  }
  const verifier = new OathkeeperJwtVerifier(tenant, config, keys, replay, () => clockMs);
  return {
    transport: new OathkeeperJwtTransport(tenant, config, keys, verifier, () => clockMs),
    verifier,
    claims,
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
  return path === 'authenticateNow'
    ? transport.authenticateNow(request(token))
    : transport.authenticate(request(token));
}

describe.each(PATHS)('service tokens through Oathkeeper (%s)', (path) => {
  it('become a service identity: client id, parsed scope, no roles, the token exp', async () => {
    const { transport } = transportFor(path);
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
    const { transport } = transportFor(path);
    expect((await authenticate(transport, path, mintService({ scope: '' })))?.scope).toEqual([]);
    const { transport: other } = transportFor(path);
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
    const { transport, claims: claimsMade } = transportFor(path);
    const error = await expectCode(
      () => authenticate(transport, path, mintService(claims)),
      'auth.failure.malformed',
    );
    expect(error.message).not.toContain(CLIENT);
    // Refused before the replay step: a malformed token's jti is never held.
    expect(claimsMade()).toBe(0);
  });

  it.each<[string, Record<string, unknown>, IamErrorCode]>([
    ["another service's audience", { aud: ['billing-api'] }, 'auth.failure.audience_mismatch'],
    ["another tenant's token", { tenant: 'acme' }, 'auth.tenant_mismatch'],
    ['an issuer that is neither', { iss: `${SERVICE_ISSUER}/` }, 'auth.failure.issuer_mismatch'],
    ['no issuer', { iss: undefined }, 'auth.failure.issuer_mismatch'],
    ['an expired token', { exp: 0 }, 'auth.failure.expired'],
  ])('are refused with %s', async (_, claims, code) => {
    const { transport } = transportFor(path);
    await expectCode(() => authenticate(transport, path, mintService(claims)), code);
  });

  it('are refused (issuer mismatch) by a tenant without serviceIssuer', async () => {
    const { transport } = transportFor(path, { serviceIssuer: undefined });
    await expectCode(
      () => authenticate(transport, path, mintService()),
      'auth.failure.issuer_mismatch',
    );
  });

  it('are refused when replayed, with replay protection on', async () => {
    const { transport, claims: claimsMade } = transportFor(path);
    const token = mintService();
    expect((await authenticate(transport, path, token))?.kind).toBe('service');
    await expectCode(() => authenticate(transport, path, token), 'auth.failure.replay');
    expect(claimsMade()).toBe(2);
  });

  it('need a jti with replay protection on, as users do', async () => {
    const { transport } = transportFor(path);
    await expectCode(
      () => authenticate(transport, path, mintService({ jti: undefined })),
      'auth.failure.malformed',
    );
  });

  it('keep a user token with client_id and scope claims a user, without scope', async () => {
    const { transport } = transportFor(path);
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
    const { transport } = transportFor('authenticateNow');
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
    const { transport, verifier } = transportFor('authenticate', {
      replayProtection: { enabled: false },
    });
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
    const { transport, verifier } = transportFor('authenticate', {
      replayProtection: { enabled: false },
    });
    const verify = vi.spyOn(verifier, 'verifyNow');
    const token = mintService({ client_id: '' });
    for (let i = 0; i < 3; i += 1) {
      await expectCode(() => transport.authenticate(request(token)), 'auth.failure.malformed');
    }
    expect(verify).toHaveBeenCalledTimes(3);
  });
});
