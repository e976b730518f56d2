import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Deadline } from '../../../src/deadline/deadline.js';
import { IamUpstreamUnavailableError } from '../../../src/errors/iam-errors.js';
import { JwksKeyStore } from '../../../src/jwt/jwks-key-store.js';
import { OathkeeperJwtVerifier } from '../../../src/jwt/oathkeeper-jwt-verifier.js';
import { TestSigner } from '../../../src/testing/test-signer.js';
import { HangingServer } from '../../support/hanging-server.js';
import { startJwksServer } from './jwks-server.js';
import { AUDIENCE, jwtTenant, RecordingSink, SpyReplayCache } from './verifier-fixtures.js';

const jwks = new HangingServer();
const signer = TestSigner.create({ kid: 'k1' });
const stores: JwksKeyStore[] = [];

beforeAll(() => jwks.start());
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  jwks.requests.length = 0;
});
afterAll(() => jwks.stop());

function verifierWith(replay: SpyReplayCache): OathkeeperJwtVerifier {
  const tenant = jwtTenant(jwks.url, { jwks: { url: jwks.url, timeoutMs: 30_000 } });
  const oathkeeper = tenant.oathkeeper;
  if (oathkeeper?.jwks === undefined) throw new Error('no jwks config');
  const store = new JwksKeyStore(oathkeeper.jwks, 'default', new RecordingSink().emitter());
  stores.push(store);
  return new OathkeeperJwtVerifier(tenant, oathkeeper, store, replay);
}

const token = () =>
  signer.mint({
    aud: AUDIENCE,
    tenant: 'default',
    sub: 'alice',
    jti: 'jti-1',
    exp: Math.floor(Date.now() / 1_000) + 60,
  });

describe('the verifier within a request deadline', () => {
  it('stops waiting for a hanging JWKS at the deadline with a 503, and leaves the shared fetch running', async () => {
    const verifier = verifierWith(new SpyReplayCache());
    const error = await verifier.verify(token(), new Deadline(100)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IamUpstreamUnavailableError);
    expect((error as IamUpstreamUnavailableError).reason).toBe(
      'JWKS refetch: no answer within the deadline of 100 ms',
    );
    // The fetch is the store's, shared with every request missing a key: it runs on (under load
    // it may reach the server only after the deadline).
    await jwks.arrived(1);
    expect(jwks.requests).toHaveLength(1);
    expect(jwks.requests[0]?.socket.destroyed).toBe(false);
  });

  it('does not start the replay claim once the deadline is spent', async () => {
    const replay = new SpyReplayCache();
    const spent = new Deadline(0);
    // A verifier whose key is cached: only the replay step is left to be stopped.
    const served = await startJwksServer(signer.jwks());
    try {
      const tenant = jwtTenant(served.url);
      const oathkeeper = tenant.oathkeeper;
      if (oathkeeper?.jwks === undefined) throw new Error('no jwks config');
      const keys = new JwksKeyStore(oathkeeper.jwks, 'default', new RecordingSink().emitter());
      stores.push(keys);
      await keys.refresh();
      const verifier = new OathkeeperJwtVerifier(tenant, oathkeeper, keys, replay);
      const error = await verifier.verify(token(), spent).catch((e: unknown) => e);
      expect((error as IamUpstreamUnavailableError).reason).toBe(
        'Replay store: no answer within the deadline of 0 ms',
      );
      expect(replay.calls).toEqual([]);
      expect((await verifier.verify(token(), new Deadline(1_000))).typed.sub).toBe('alice');
    } finally {
      await served.close();
    }
  });
});
