/**
 * The Nest module of each `bench/http` variant: a bare route, or the same route behind our guard
 * or one users would pick instead.
 */

import 'reflect-metadata';
import { Controller, Get, Module, type Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard, PassportModule } from '@nestjs/passport';
import type * as Library from 'nestjs-ory-iam';
import type { IamModuleOptions } from 'nestjs-ory-iam';
import { benchOathkeeper } from '../support/bench-tenant.js';
import {
  fastJwtGuard,
  fewestChecksGuard,
  joseGuard,
  passportStrategy,
  signatureOnlyGuard,
} from './guards.js';

export type Platform = 'express' | 'fastify';
export type Kind =
  | 'bare'
  | 'iam-memory'
  | 'iam-memory-baseline'
  | 'iam-memory-telemetry-off'
  | 'iam-memory-quiet'
  | 'iam-redis'
  | 'iam-redis-baseline'
  | 'iam-replay-off'
  | 'iam-replay-off-baseline'
  | 'iam-kratos-cookie'
  | 'allow-all'
  | 'signature-only'
  | 'fewest-checks'
  | 'jose'
  | 'fast-jwt'
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
        oathkeeper: benchOathkeeper(jwksUrl, { enabled: replay }),
      },
    },
  };
}

/**
 * `library` is the built `nestjs-ory-iam` the variant runs: this checkout's `dist/`, or for the
 * `-baseline` kinds another build (`--baseline` of run.ts), so before and after share one run.
 */
export function appModule(kind: Kind, jwksUrl: string, library: typeof Library): Type {
  const { IamModule, RedisReplayCache } = library;
  const imports: unknown[] = [];
  const providers: unknown[] = [];
  if (kind === 'iam-memory' || kind === 'iam-memory-baseline')
    imports.push(IamModule.forRoot(iamOptions(jwksUrl, true)));
  // What the default audit sink (Nest's Logger; successes at debug) costs: a sink that drops events.
  if (kind === 'iam-memory-quiet') {
    const auditSink = { emit: () => undefined };
    imports.push(IamModule.forRoot({ ...iamOptions(jwksUrl, true), auditSink }));
  }
  // Every other variant of ours runs with @opentelemetry/api installed and no SDK: the no-op spans.
  if (kind === 'iam-memory-telemetry-off') {
    imports.push(
      IamModule.forRoot({ ...iamOptions(jwksUrl, true), telemetry: { enabled: false } }),
    );
  }
  if (kind === 'iam-replay-off' || kind === 'iam-replay-off-baseline')
    imports.push(IamModule.forRoot(iamOptions(jwksUrl, false)));
  if (kind === 'iam-redis' || kind === 'iam-redis-baseline') {
    const replayCache = RedisReplayCache.fromUrl(
      process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
      {
        keyPrefix: process.env.BENCH_REDIS_PREFIX ?? 'iam-bench:jti:',
        // Under valgrind (bench/instructions) a claim takes longer than the default bound.
        ...(process.env.BENCH_REDIS_TIMEOUT_MS === undefined
          ? {}
          : { timeoutMs: Number(process.env.BENCH_REDIS_TIMEOUT_MS) }),
      },
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
  // What Nest's guard machinery costs with a guard that does nothing.
  if (kind === 'allow-all')
    providers.push({ provide: APP_GUARD, useValue: { canActivate: () => true } });
  if (kind === 'signature-only') {
    providers.push({ provide: APP_GUARD, useClass: signatureOnlyGuard(jwksUrl) });
  }
  if (kind === 'fewest-checks') {
    providers.push({ provide: APP_GUARD, useClass: fewestChecksGuard(jwksUrl) });
  }
  if (kind === 'jose') providers.push({ provide: APP_GUARD, useClass: joseGuard(jwksUrl) });
  if (kind === 'fast-jwt') providers.push({ provide: APP_GUARD, useClass: fastJwtGuard(jwksUrl) });
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
