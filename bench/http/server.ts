/**
 * One server variant of `bench/http`, in its own process so that `process.cpuUsage()` is its own.
 * Started by run.ts with `node --import tsx` and `TSX_TSCONFIG_PATH=bench/http/tsconfig.json`, which
 * drops the repo's `paths`: `nestjs-ory-iam` then resolves to the built `dist/`, what users get.
 * Talks to run.ts over IPC: `ready` with its port, then answers `cpu` with its CPU time.
 */

import 'reflect-metadata';
import { Controller, Get, type INestApplication, Module, type Type } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { AuthGuard, PassportModule } from '@nestjs/passport';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { IamModule, type IamModuleOptions, RedisReplayCache } from 'nestjs-ory-iam';
import { AUDIENCE, ISSUER, joseGuard, passportStrategy, signatureOnlyGuard } from './guards.js';

export type Platform = 'express' | 'fastify';
export type Kind =
  | 'bare'
  | 'iam-memory'
  | 'iam-memory-quiet'
  | 'iam-redis'
  | 'iam-replay-off'
  | 'iam-kratos-cookie'
  | 'signature-only'
  | 'jose'
  | 'passport';

@Controller()
class OrdersController {
  @Get('orders')
  list(): { ok: boolean } {
    return { ok: true };
  }
}

function iamOptions(jwksUrl: string, replay: boolean): IamModuleOptions {
  return {
    tenants: {
      default: {
        mode: 'self-hosted',
        transport: 'oathkeeper',
        oathkeeper: {
          verifier: 'jwt',
          jwks: { url: jwksUrl },
          issuer: ISSUER,
          audience: AUDIENCE,
          replayProtection: { enabled: replay },
          identityHeader: 'Authorization',
        },
      },
    },
  };
}

function appModule(kind: Kind, jwksUrl: string): Type {
  const imports: unknown[] = [];
  const providers: unknown[] = [];
  if (kind === 'iam-memory') imports.push(IamModule.forRoot(iamOptions(jwksUrl, true)));
  // What the default audit sink (Nest's Logger; successes at debug) costs: a sink that drops events.
  if (kind === 'iam-memory-quiet') {
    const auditSink = { emit: () => undefined };
    imports.push(IamModule.forRoot({ ...iamOptions(jwksUrl, true), auditSink }));
  }
  if (kind === 'iam-replay-off') imports.push(IamModule.forRoot(iamOptions(jwksUrl, false)));
  if (kind === 'iam-redis') {
    const replayCache = RedisReplayCache.fromUrl(
      process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
      { keyPrefix: process.env.BENCH_REDIS_PREFIX ?? 'iam-bench:jti:' },
    );
    imports.push(IamModule.forRoot({ ...iamOptions(jwksUrl, true), replayCache }));
  }
  // The Kratos session cookie with the session cache on: after the first request per cache TTL,
  // every request is a cache hit (run.ts counts the calls that reached Kratos).
  if (kind === 'iam-kratos-cookie') {
    const publicUrl = process.env.BENCH_KRATOS_URL;
    if (publicUrl === undefined) throw new Error('BENCH_KRATOS_URL is not set');
    imports.push(
      IamModule.forRoot({
        tenants: {
          default: {
            mode: 'self-hosted',
            transport: 'cookie',
            kratos: { publicUrl, sessionCache: { enabled: true } },
          },
        },
      }),
    );
  }
  if (kind === 'signature-only') {
    providers.push({ provide: APP_GUARD, useClass: signatureOnlyGuard(jwksUrl) });
  }
  if (kind === 'jose') providers.push({ provide: APP_GUARD, useClass: joseGuard(jwksUrl) });
  if (kind === 'passport') {
    imports.push(PassportModule);
    providers.push(passportStrategy(jwksUrl), { provide: APP_GUARD, useClass: AuthGuard('jwt') });
  }
  @Module({
    imports: imports as Type[],
    providers: providers as Type[],
    controllers: [OrdersController],
  })
  class BenchModule {}
  return BenchModule;
}

async function main(): Promise<void> {
  const [platform, kind, jwksUrl] = process.argv.slice(2) as [Platform, Kind, string];
  const module = appModule(kind, jwksUrl);
  const options = { logger: ['error' as const, 'warn' as const] };
  const app: INestApplication =
    platform === 'fastify'
      ? await NestFactory.create(module, new FastifyAdapter(), options)
      : await NestFactory.create(module, options);
  app.enableShutdownHooks();
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  process.on('message', (message: { type: string }) => {
    if (message.type === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send?.({ type: 'cpu', user, system });
    } else if (message.type === 'stop') {
      void app.close().then(() => process.exit(0));
    }
  });
  process.send?.({
    type: 'ready',
    port: address.port,
    library: import.meta.resolve('nestjs-ory-iam'),
  });
}

await main();
