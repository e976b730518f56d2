/**
 * The JWKS key store against real Oathkeeper, its JWKS reached through a TCP proxy the test takes
 * down: Oathkeeper rotates its signing key while its JWKS is refused. Tokens of the new key get 503
 * (the key may well exist), not 401; tokens of the loaded key keep verifying; once the JWKS is
 * reachable again the store takes the new key by itself, within about a second, not a cooldown.
 * The faults real Oathkeeper cannot produce (an emptied set, an oversized body) are unit tests.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { decodeProtectedHeader } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuditEmitter } from '../../../src/audit/audit-emitter.js';
import { validateIamOptions } from '../../../src/config/validate-options.js';
import { IamHttpError } from '../../../src/errors/iam-errors.js';
import { JwksKeyStore } from '../../../src/jwt/jwks-key-store.js';
import { OathkeeperJwtVerifier } from '../../../src/jwt/oathkeeper-jwt-verifier.js';
import { InMemoryReplayCache } from '../../../src/replay/in-memory-replay-cache.js';
import { type EchoUpstream, startEchoUpstream } from '../../support/ory/echo-upstream.js';
import { registerNative } from '../../support/ory/kratos-flows.js';
import { useOryStack } from '../../support/ory/vitest.js';
import { TcpProxy } from '../../support/tcp-proxy.js';

describe('JWKS key store against real Oathkeeper rotating its key during a JWKS outage', () => {
  let upstream: EchoUpstream;
  let jwksProxy: TcpProxy;
  let store: JwksKeyStore | undefined;
  const replayCache = new InMemoryReplayCache();
  const events = new EventEmitter();
  const audit = new AuditEmitter({
    emit: (event) => {
      events.emit(event.name, event);
    },
  });

  beforeAll(async () => {
    upstream = await startEchoUpstream();
  });
  const ory = useOryStack(() => ({
    keto: false,
    oathkeeper: { routes: { '/orders': upstream.url } },
  }));
  afterEach(() => {
    store?.close();
  });
  afterAll(async () => {
    await jwksProxy?.stop();
    await upstream?.close();
    replayCache.close();
  });

  /** A token Oathkeeper's id_token mutator signed for one request of this session. */
  const tokenFor = async (sessionToken: string): Promise<string> => {
    const before = upstream.hits.length;
    const response = await fetch(`${ory().urls.oathkeeperProxy}/orders`, {
      headers: { Authorization: `Bearer ${sessionToken}` },
    });
    expect(response.status).toBe(200);
    const header = upstream.hits[before]?.headers.authorization;
    if (typeof header !== 'string') throw new Error('upstream got no Authorization header');
    return header.replace(/^Bearer /, '');
  };

  const verifierThroughProxy = () => {
    const tenant = validateIamOptions({
      tenants: {
        default: {
          transport: 'oathkeeper',
          oathkeeper: {
            jwks: { url: `http://127.0.0.1:${jwksProxy.port}/.well-known/jwks.json` },
            issuer: ory().urls.issuer,
            audience: 'orders-api',
          },
        },
      },
    }).tenants.default;
    const oathkeeper = tenant?.oathkeeper;
    if (tenant === undefined || oathkeeper?.jwks === undefined) throw new Error('no jwt tenant');
    store = new JwksKeyStore(oathkeeper.jwks, tenant.name, audit);
    return new OathkeeperJwtVerifier(tenant, oathkeeper, store, replayCache);
  };

  const codeOf = (promise: Promise<unknown>) =>
    promise.then(
      () => 'verified',
      (error: unknown) => (error instanceof IamHttpError ? error.code : String(error)),
    );

  it('answers 503 for the new key while the JWKS is refused, and takes it once it is back', async () => {
    const session = (
      await registerNative(
        ory().urls.kratosPublic ?? '',
        `${randomUUID()}@example.test`,
        'i-Passw0rd-x',
      )
    ).sessionToken;
    jwksProxy = new TcpProxy('127.0.0.1', Number(new URL(ory().urls.oathkeeperApi ?? '').port));
    await jwksProxy.start();
    const verifier = verifierThroughProxy();
    const loaded = once(events, 'jwks.refresh.success');
    store?.start();
    await loaded;
    const before = await tokenFor(session);
    expect((await verifier.verify(before)).typed.aud).toContain('orders-api');

    await jwksProxy.stop();
    const rotated = await ory().addSigningKey({ signing: true });
    await ory().restart('oathkeeper');
    const after = await tokenFor(session);
    expect(decodeProtectedHeader(after).kid).toBe(rotated);

    expect(await codeOf(verifier.verify(after))).toBe('auth.upstream_unavailable');
    // The key loaded before the outage still verifies.
    expect(await codeOf(verifier.verify(before))).toBe('verified');

    const recovered = once(events, 'jwks.refresh.success');
    const backAt = Date.now();
    await jwksProxy.start();
    await recovered;
    expect(Date.now() - backAt).toBeLessThan(3_000);
    expect(await codeOf(verifier.verify(after))).toBe('verified');
  });
});
