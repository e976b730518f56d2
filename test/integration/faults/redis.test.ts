/**
 * Issue 15 item 6, Redis: the machine's Redis reached through Toxiproxy as the replay cache
 * (`RedisReplayCache.fromUrl`, its own fail-fast connection) of a real Nest app verifying test
 * signer JWTs, each request with a new token. Under every network fault the replay check answers
 * 503 with `Retry-After`, never an allow (a check that cannot run never lets a token through) and
 * never a 401 replay (the token is new); once the fault is gone the client reconnects by itself and
 * new tokens pass, without a restart.
 */
import { Controller, Get } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CurrentUser, RedisReplayCache } from '../../../src/index.js';
import { PLATFORMS, request } from '../../support/nest-app.js';
import { connectTestRedis, keysWithPrefix, REDIS_URL, uniquePrefix } from '../../support/redis.js';
import { type SignedApp, startSignedApp } from '../../support/signed-app.js';
import type { ToxiproxyProxy } from '../../support/toxiproxy/client.js';
import { FAULT_DESCRIPTIONS, FAULTS } from '../../support/toxiproxy/faults.js';
import { useToxiproxy } from '../../support/toxiproxy/vitest.js';
import { proveFault, watchUnhandledRejections } from './invariants.js';

/** The library's default for one Redis call. */
const TIMEOUT_MS = 250;

@Controller('orders')
class OrdersController {
  @Get()
  list(@CurrentUser('id') id: string) {
    return { user: id };
  }
}

describe.each(PLATFORMS)('Redis replay cache behind Toxiproxy on %s', (platform) => {
  const toxiproxy = useToxiproxy();
  const unhandledRejections = watchUnhandledRejections();
  let admin: Redis;
  let proxy: ToxiproxyProxy;
  let app: SignedApp;
  // Long enough (1.5 KB in every SET) that 1 KB/s cannot carry a command within the timeout.
  const keyPrefix = `${uniquePrefix('faults')}${'x'.repeat(1_500)}:`;

  beforeAll(async () => {
    admin = await connectTestRedis();
    proxy = await toxiproxy().createProxy(`redis-${platform}`, new URL(REDIS_URL).host);
    app = await startSignedApp(platform, {
      audience: 'orders-api',
      replay: true,
      replayCache: RedisReplayCache.fromUrl(proxy.url('redis'), {
        keyPrefix,
        timeoutMs: TIMEOUT_MS,
      }),
      metadata: { controllers: [OrdersController] },
    });
  });
  afterAll(async () => {
    await app?.close();
    const keys = admin === undefined ? [] : await keysWithPrefix(admin, keyPrefix);
    if (keys.length > 0) await admin.del(...keys);
    admin?.disconnect();
  });

  it.each(FAULTS)(
    '%s: 503 with Retry-After, never an allow, new tokens pass once healed',
    async (fault) => {
      app.events.length = 0;
      await proveFault({
        proxy,
        fault,
        timeoutMs: TIMEOUT_MS,
        send: () =>
          request(`${app.url}/orders`, {
            headers: { Authorization: `Bearer ${app.token('alice')}` },
          }),
        unhandledRejections,
      });
      const names = app.events.map((event) => event.name);
      expect(names, FAULT_DESCRIPTIONS[fault]).toContain('auth.upstream_unavailable');
      expect(names.filter((name) => name.startsWith('auth.failure'))).toEqual([]);
    },
  );
});
