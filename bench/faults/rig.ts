/**
 * What `npm run faults` runs against: the real Kratos, Keto and Oathkeeper (scripts/ory/install),
 * the machine's Redis, each reached through its own Toxiproxy proxy, and one app per upstream in
 * this process, every library option at its default except where the upstream is.
 */

import { randomUUID } from 'node:crypto';
import { Controller, Get } from '@nestjs/common';
import {
  CurrentUser,
  IamModule,
  type IamModuleOptions,
  RedisReplayCache,
  RequirePermission,
  type TenantConfig,
} from '../../src/index.js';
import { TestSigner } from '../../src/testing/test-signer.js';
import { type Platform, type RunningApp, startApp } from '../../test/support/nest-app.js';
import { type EchoUpstream, startEchoUpstream } from '../../test/support/ory/echo-upstream.js';
import { registerNative } from '../../test/support/ory/kratos-flows.js';
import { startOry } from '../../test/support/ory/stack.js';
import { connectTestRedis, keysWithPrefix, REDIS_URL } from '../../test/support/redis.js';
import type { ToxiproxyProxy } from '../../test/support/toxiproxy/client.js';
import { startToxiproxy } from '../../test/support/toxiproxy/server.js';

/** The upstreams a scenario can break. */
export type Upstream = 'keto' | 'kratos' | 'redis' | 'jwks';
export const UPSTREAMS: readonly Upstream[] = ['keto', 'kratos', 'redis', 'jwks'];

const AUDIENCE = 'orders-api';
const ISSUER = 'https://oathkeeper.bench/';
const USER = 'bench-user';
const LISTING = 'bench-listing';

@Controller()
class BenchController {
  /** One Keto check: `listings:bench-listing#view` for the token's subject. */
  @Get('listing')
  @RequirePermission({ namespace: 'listings', relation: 'view', object: LISTING })
  listing() {
    return { ok: true };
  }

  @Get('me')
  me(@CurrentUser('id') id: string) {
    return { id };
  }
}

/** One app under test and how to send it a request that is allowed while its upstream is well. */
export interface AppUnderTest {
  readonly upstream: Upstream;
  readonly proxy: ToxiproxyProxy;
  readonly url: string;
  /** Path and headers of one request (a new token each time where replay protection needs it). */
  request(): { path: string; headers: Record<string, string> };
  close(): Promise<void>;
}

export interface Rig {
  readonly proxies: Readonly<Record<Upstream, ToxiproxyProxy>>;
  /** A fresh app for one upstream; `jwks` starts cold (no key loaded). */
  startApp(upstream: Upstream): Promise<AppUnderTest>;
  stop(): Promise<void>;
}

function hostOf(url: string | undefined): string {
  if (url === undefined) throw new Error('an Ory server of the rig is not running');
  return new URL(url).host;
}

async function grantListing(ketoWrite: string | undefined): Promise<void> {
  const response = await fetch(`${ketoWrite}/admin/relation-tuples`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      namespace: 'listings',
      object: LISTING,
      relation: 'view',
      subject_id: USER,
    }),
  });
  if (response.status !== 201) throw new Error(`Keto grant: ${response.status}`);
}

export async function startRig(platform: Platform): Promise<Rig> {
  const echo: EchoUpstream = await startEchoUpstream();
  const ory = await startOry({ oathkeeper: { routes: { '/orders': echo.url } } });
  // Info logs one line per connection: at 100 requests/s that is only noise.
  const toxiproxy = await startToxiproxy({ logLevel: 'warn' });
  const { urls } = ory;
  const api = toxiproxy.api;
  const proxies = {
    keto: await api.createProxy('keto-read', hostOf(urls.ketoRead)),
    kratos: await api.createProxy('kratos-public', hostOf(urls.kratosPublic)),
    redis: await api.createProxy('redis', new URL(REDIS_URL).host),
    jwks: await api.createProxy('oathkeeper-api', hostOf(urls.oathkeeperApi)),
  };
  await grantListing(urls.ketoWrite);
  const session = await registerNative(
    urls.kratosPublic ?? '',
    `${randomUUID()}@bench.test`,
    'bench-Passw0rd-not-secret',
  );
  // The replay caches' keys, removed at the end: the epoch key has no expiry.
  const redisPrefixes: string[] = [];
  const signer = TestSigner.create();
  const signerJwks = await signer.serve();
  const signed = (sub: string) => ({
    Authorization: `Bearer ${signer.mint({ sub, iss: ISSUER, aud: [AUDIENCE], tenant: 'default' })}`,
  });
  const jwtTenant = (jwksUrl: string, replay: boolean, issuer = ISSUER): TenantConfig => ({
    transport: 'oathkeeper',
    oathkeeper: {
      jwks: { url: jwksUrl },
      issuer,
      audience: AUDIENCE,
      identityHeader: 'Authorization',
      ...(replay ? { replayProtection: { enabled: true } } : {}),
    },
  });
  /** A token Oathkeeper's id_token mutator signed for the session (valid 60 s). */
  const oathkeeperToken = async (): Promise<string> => {
    const before = echo.hits.length;
    const response = await fetch(`${urls.oathkeeperProxy}/orders`, {
      headers: { Authorization: `Bearer ${session.sessionToken}` },
    });
    const header = echo.hits[before]?.headers.authorization;
    if (response.status !== 200 || typeof header !== 'string') {
      throw new Error(`Oathkeeper minted no token (${response.status})`);
    }
    return header.replace(/^Bearer /, '');
  };

  const boot = async (
    upstream: Upstream,
    options: IamModuleOptions,
    request: AppUnderTest['request'],
  ): Promise<AppUnderTest> => {
    const running: RunningApp = await startApp(
      { imports: [IamModule.forRoot(options)], controllers: [BenchController] },
      platform,
    );
    return { upstream, proxy: proxies[upstream], url: running.url, request, close: running.close };
  };

  return {
    proxies,
    async startApp(upstream) {
      switch (upstream) {
        case 'keto': {
          const tenant = {
            ...jwtTenant(signerJwks.url, false),
            keto: { readUrl: proxies.keto.url() },
          };
          // Replay protection is off: one token serves every request, minting costs nothing.
          const headers = signed(USER);
          return boot(upstream, { tenants: { default: tenant } }, () => ({
            path: '/listing',
            headers,
          }));
        }
        case 'kratos': {
          const tenant: TenantConfig = {
            transport: 'bearer',
            kratos: { publicUrl: proxies.kratos.url() },
          };
          const headers = { 'X-Session-Token': session.sessionToken };
          return boot(upstream, { tenants: { default: tenant } }, () => ({ path: '/me', headers }));
        }
        case 'redis': {
          const keyPrefix = `bench:faults:${randomUUID()}:`;
          redisPrefixes.push(keyPrefix);
          return boot(
            upstream,
            {
              tenants: { default: jwtTenant(signerJwks.url, true) },
              replayCache: RedisReplayCache.fromUrl(proxies.redis.url('redis'), { keyPrefix }),
            },
            () => ({ path: '/me', headers: signed(USER) }),
          );
        }
        case 'jwks': {
          const token = await oathkeeperToken();
          const tenant = jwtTenant(
            `${proxies.jwks.url()}/.well-known/jwks.json`,
            false,
            urls.issuer,
          );
          const headers = { Authorization: `Bearer ${token}` };
          return boot(upstream, { tenants: { default: tenant } }, () => ({ path: '/me', headers }));
        }
      }
    },
    async stop() {
      const redis = await connectTestRedis();
      for (const prefix of redisPrefixes) {
        const keys = await keysWithPrefix(redis, prefix);
        if (keys.length > 0) await redis.del(...keys);
      }
      redis.disconnect();
      await toxiproxy.stop();
      await signerJwks.close();
      await ory.stop();
      await echo.close();
    },
  };
}
