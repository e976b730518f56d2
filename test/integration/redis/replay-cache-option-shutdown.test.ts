/**
 * A RedisReplayCache.fromUrl passed as the `replayCache` option is not a Nest provider, so Nest
 * never shuts it down: the module must close the connection it opened, or the process (a Jest e2e)
 * never exits after app.close(). Also when a test replaced IamModule with IamTestingModule: the
 * app's options (and the connection in them) are still built.
 */
import { randomUUID } from 'node:crypto';
import { Controller, Get } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { IamModule, Public, RedisReplayCache } from '../../../src/index.js';
import { IamTestingModule } from '../../../src/testing/index.js';
import { startApp } from '../../support/nest-app.js';
import { connectTestRedis, REDIS_URL } from '../../support/redis.js';

@Controller()
class HealthController {
  @Get('health')
  @Public()
  health() {
    return { ok: true };
  }
}

const TENANTS = {
  default: {
    transport: 'oathkeeper',
    oathkeeper: {
      verifier: 'jwt',
      jwks: { url: 'http://127.0.0.1:9/.well-known/jwks.json' },
      audience: 'orders-api',
      replayProtection: { enabled: true },
    },
  },
} as const;

let observer: Redis;
beforeAll(async () => {
  observer = await connectTestRedis();
});
afterAll(() => observer?.disconnect());

const connectionsNamed = async (name: string) =>
  String(await observer.client('LIST'))
    .split('\n')
    .filter((line) => line.includes(` name=${name} `)).length;

it('closes the connection of a fromUrl cache given as an option when the app closes', async () => {
  const name = `iam-shutdown-${randomUUID()}`;
  const cache = RedisReplayCache.fromUrl(`${REDIS_URL}/?connectionName=${name}`);
  const app = await startApp(
    {
      imports: [
        IamModule.forRoot({
          replayCache: cache,
          tenants: {
            default: {
              transport: 'oathkeeper',
              oathkeeper: {
                verifier: 'jwt',
                jwks: { url: 'http://127.0.0.1:9/.well-known/jwks.json' },
                audience: 'orders-api',
                replayProtection: { enabled: true },
              },
            },
          },
        }),
      ],
      controllers: [HealthController],
    },
    'express',
  );
  await cache.claim(`probe-${name}`, 1_000);
  expect(await connectionsNamed(name)).toBe(1);

  await app.close();

  expect(await connectionsNamed(name)).toBe(0);
});

it('closes it too when a test overrode IamModule, with forRootAsync building the cache', async () => {
  const name = `iam-shutdown-override-${randomUUID()}`;
  let cache: RedisReplayCache | undefined;
  const app = await startApp(
    {
      imports: [
        IamModule.forRootAsync({
          useFactory: () => {
            cache = RedisReplayCache.fromUrl(`${REDIS_URL}/?connectionName=${name}`);
            return { replayCache: cache, tenants: TENANTS };
          },
        }),
      ],
      controllers: [HealthController],
    },
    'express',
    (builder) =>
      builder
        .overrideModule(IamModule)
        .useModule(IamTestingModule.forRoot({ identity: { id: 'alice' } })),
  );
  await cache?.claim(`probe-${name}`, 1_000);
  expect(await connectionsNamed(name)).toBe(1);

  await app.close();

  expect(await connectionsNamed(name)).toBe(0);
});
