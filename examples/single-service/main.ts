/**
 * One service behind a stand-in for Oathkeeper: a TestSigner mints the JWTs Oathkeeper's
 * `id_token` mutator would send and serves their JWKS. The service verifies them with
 * `IamModule`, and this script prints what each kind of request gets.
 */
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CurrentUser, type IamIdentity, IamModule } from 'nestjs-ory-iam';
import { TestSigner } from 'nestjs-ory-iam/testing';

@Controller('orders')
class OrdersController {
  @Get()
  list(@CurrentUser() user: IamIdentity) {
    return { subject: user.id, roles: user.roles };
  }
}

async function main(): Promise<void> {
  const signer = TestSigner.create();
  const jwks = await signer.serve();

  @Module({
    imports: [
      IamModule.forRoot({
        tenants: {
          default: {
            transport: 'oathkeeper',
            oathkeeper: {
              jwks: { url: jwks.url },
              audience: 'orders-api',
              replayProtection: { enabled: true },
              identityHeader: 'Authorization',
            },
          },
        },
      }),
    ],
    controllers: [OrdersController],
  })
  class OrdersModule {}

  const app = await NestFactory.create(OrdersModule, { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  const url = `${await app.getUrl()}/orders`;
  console.log(`orders-api listening on ${url}, JWKS at ${jwks.url}\n`);

  const claims = { aud: ['orders-api'], tenant: 'default', sub: 'alice' };
  const valid = signer.mint({ ...claims, metadataPublic: { roles: ['orders:read'] } });
  const now = Math.floor(Date.now() / 1000);
  const requests: [string, string | undefined][] = [
    ['valid token', valid],
    ['the same token again (replayed)', valid],
    ['expired token', signer.mint({ ...claims, iat: now - 600, nbf: now - 600, exp: now - 300 })],
    ['token minted for inventory-api', signer.mint({ ...claims, aud: ['inventory-api'] })],
    ['token signed with a key not in the JWKS (forged)', signer.mint(claims, { forge: true })],
    ['no token', undefined],
  ];

  try {
    for (const [label, token] of requests) {
      const headers: Record<string, string> =
        token === undefined ? {} : { authorization: `Bearer ${token}` };
      const response = await fetch(url, { headers });
      const body = (await response.json()) as Record<string, unknown>;
      const outcome = response.ok ? JSON.stringify(body) : String(body.code);
      console.log(`${label.padEnd(50)} -> ${response.status} ${outcome}`);
    }
  } finally {
    await app.close();
    await jwks.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
