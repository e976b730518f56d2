import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { IamExceptionFilter, IamModule, RedisReplayCache } from 'nestjs-ory-iam';
import { InventoryClient } from './inventory-client';
import { OrderErrorFilter } from './order-error';
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
          // Outgoing: this service's own OAuth2 client at Hydra, for POST /inventory/reserve
          // (docs/service-to-service.md). The default secret is docker-compose.yml's example one;
          // `npm run example` registers the client with a random secret and passes it in.
          serviceTokens: {
            hydraPublicUrl: env('HYDRA_PUBLIC_URL', 'http://127.0.0.1:4444'),
            clientId: 'orders-api',
            clientSecret: env('ORDERS_API_CLIENT_SECRET', 'example-only-orders-api-secret'),
            authMethod: 'client_secret_basic',
          },
        },
      },
      // The in-memory replay cache is per process: with more than one instance, a token could be
      // replayed once per instance. REDIS_URL shares one cache between them (the multi-pod note).
      ...(redisUrl !== undefined && { replayCache: RedisReplayCache.fromUrl(redisUrl) }),
    }),
  ],
  controllers: [OrdersController],
  providers: [
    InventoryClient,
    // ServiceTokens' 503 (Hydra down) answers with its Retry-After; orders-api's own errors too.
    { provide: APP_FILTER, useClass: IamExceptionFilter },
    { provide: APP_FILTER, useClass: OrderErrorFilter },
  ],
})
export class AppModule {}
