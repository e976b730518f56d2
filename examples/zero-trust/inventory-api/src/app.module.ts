import { Module } from '@nestjs/common';
import { IamModule } from 'nestjs-ory-iam';
import { InventoryController } from './inventory.controller';
import { Stock } from './stock';

const env = (name: string, fallback: string) => process.env[name] ?? fallback;

@Module({
  imports: [
    IamModule.forRoot({
      tenants: {
        default: {
          mode: 'self-hosted',
          transport: 'oathkeeper',
          kratos: { publicUrl: env('KRATOS_PUBLIC_URL', 'http://127.0.0.1:4433') },
          keto: {
            readUrl: env('KETO_READ_URL', 'http://127.0.0.1:4466'),
            writeUrl: env('KETO_WRITE_URL', 'http://127.0.0.1:4467'),
          },
          oathkeeper: {
            verifier: 'jwt',
            jwks: {
              url: env('OATHKEEPER_JWKS_URL', 'http://127.0.0.1:4456/.well-known/jwks.json'),
              algorithms: ['RS256'],
              refreshIntervalMs: 600_000,
              cooldownMs: Number(env('JWKS_COOLDOWN_MS', '30000')),
            },
            // The iss of users' tokens (config/oathkeeper.yml's id_token issuer_url), and the one
            // Oathkeeper's service rule (POST /inventory/reserve: oauth2_introspection at Hydra)
            // writes instead: a token with serviceIssuer is a machine caller's (its client id and
            // scopes), never a user's. The rules generator reads serviceIssuer from here.
            issuer: env('OATHKEEPER_ISSUER', 'http://127.0.0.1:4455/'),
            serviceIssuer: 'http://127.0.0.1:4455/services',
            audience: 'inventory-api',
            clockSkewMs: 30_000,
            replayProtection: { enabled: true, ttlMs: 120_000 },
            identityHeader: 'Authorization',
            signatureHeader: 'X-User-Signature',
          },
        },
      },
    }),
  ],
  controllers: [InventoryController],
  providers: [Stock],
})
export class AppModule {}
