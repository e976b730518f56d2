import { Module } from '@nestjs/common';
import { IamModule, RedisReplayCache } from 'nestjs-ory-iam';
import { OrdersController } from './orders.controller';

const env = (name: string, fallback: string) => process.env[name] ?? fallback;
const redisUrl = process.env.REDIS_URL;

@Module({
  imports: [
    IamModule.forRoot({
      tenants: {
        default: {
          mode: 'self-hosted',
          transport: 'oathkeeper',
          // As in the walkthrough; optional with the oathkeeper transport; this service never
          // calls Kratos on the request path.
          kratos: { publicUrl: env('KRATOS_PUBLIC_URL', 'http://127.0.0.1:4433') },
          // GET /orders/:id asks Keto (the walkthrough's orders-api config omits this block, which
          // @RequirePermission needs).
          keto: {
            readUrl: env('KETO_READ_URL', 'http://127.0.0.1:4466'),
            writeUrl: env('KETO_WRITE_URL', 'http://127.0.0.1:4467'),
          },
          oathkeeper: {
            verifier: 'jwt', // asymmetric JWT mode
            jwks: {
              url: env('OATHKEEPER_JWKS_URL', 'http://127.0.0.1:4456/.well-known/jwks.json'),
              algorithms: ['RS256'],
              refreshIntervalMs: 600_000, // refetch every 10 min
              cooldownMs: Number(env('JWKS_COOLDOWN_MS', '30000')), // refetch-on-failure cooldown
            },
            audience: 'orders-api', // must match the id_token claim
            clockSkewMs: 30_000, // expiry leeway
            replayProtection: {
              enabled: true, // use jti + replay cache
              ttlMs: 120_000, // remember each jti 2 min
            },
            identityHeader: 'Authorization', // id_token mutator writes here
            signatureHeader: 'X-User-Signature', // unused in verifier=jwt
          },
        },
      },
      // The in-memory replay cache is per process: with more than one instance, a token could be
      // replayed once per instance. REDIS_URL shares one cache between them (the multi-pod note).
      ...(redisUrl !== undefined && { replayCache: RedisReplayCache.fromUrl(redisUrl) }),
    }),
  ],
  controllers: [OrdersController],
})
export class AppModule {}
