import { randomUUID } from 'node:crypto';
import { Controller, Get, Module, Param, Post, type Type } from '@nestjs/common';
import { CurrentUser, type IamIdentity, IamModule, Public, RequireRole } from '../../src/index.js';
import { registerNative, setRoles } from './ory/kratos-flows.js';
import type { OryStack } from './ory/stack.js';

/**
 * The app the generated-rules tests put behind Oathkeeper (as the proxy, or nginx asking its
 * decision API): a public literal next to a protected param, and a role route.
 */
@Controller('orders')
export class OrdersController {
  @Public()
  @Get('catalog')
  catalog() {
    return { catalog: true };
  }

  @Get(':id')
  one(@Param('id') id: string, @CurrentUser() user: IamIdentity) {
    return { id, user: user.id, tenant: user.tenant };
  }

  @Post()
  @RequireRole('clerk')
  create(@CurrentUser('id') user: string) {
    return { created: true, by: user };
  }
}

/** For the glob strategy, which cannot split: no literal under another access's param. */
@Controller('shop')
export class ShopController {
  @Public()
  @Get('items')
  items() {
    return { items: [] };
  }

  @Get('items/:id')
  item(@Param('id') id: string, @CurrentUser('id') user: string) {
    return { id, user };
  }
}

/**
 * The app, configured for the running stack, as a module class the generator reads. `service`
 * names it another audience and gives it a `serviceIssuer` (under the proxy's `/services`), so
 * its service routes get rules for machine callers.
 */
export function ordersModule(
  stack: OryStack,
  controller: Type<unknown> = OrdersController,
  service?: { readonly audience: string },
): Type<unknown> {
  const { kratosPublic, jwksUrl, issuer, oathkeeperProxy } = stack.urls;
  if (!kratosPublic || !jwksUrl || !issuer || !oathkeeperProxy) {
    throw new Error('the stack is missing a server');
  }
  @Module({
    imports: [
      IamModule.forRoot({
        tenants: {
          default: {
            transport: 'oathkeeper',
            kratos: { publicUrl: kratosPublic },
            oathkeeper: {
              jwks: { url: jwksUrl },
              issuer,
              audience: service?.audience ?? 'orders-api',
              ...(service !== undefined && { serviceIssuer: `${oathkeeperProxy}/services` }),
              replayProtection: { enabled: true },
              identityHeader: 'Authorization',
            },
          },
        },
      }),
    ],
    controllers: [controller],
  })
  class OrdersAppModule {}
  return OrdersAppModule;
}

/** A Kratos session (native registration) with these roles in metadata_public. */
export async function newSession(stack: OryStack, roles: readonly string[]) {
  const { kratosPublic, kratosAdmin } = stack.urls;
  if (!kratosPublic || !kratosAdmin) throw new Error('Kratos is not running');
  const user = await registerNative(
    kratosPublic,
    `${randomUUID()}@example.test`,
    'rules-Passw0rd-9',
  );
  await setRoles(kratosAdmin, user.identityId, roles);
  return user;
}
