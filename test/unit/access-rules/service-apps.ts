import { Controller, Get, Module, Post } from '@nestjs/common';
import {
  IamModule,
  type IamModuleOptions,
  Public,
  RequireRole,
  RequireScope,
  RequireService,
} from '../../../src/index.js';

export const SERVICE_ISSUER = 'https://gateway.example.com/services';

/** inventory-api's tenant: users through Oathkeeper, and machine callers under their own issuer. */
export const INVENTORY_OPTIONS: IamModuleOptions = {
  tenants: {
    default: {
      transport: 'oathkeeper',
      kratos: { publicUrl: 'http://127.0.0.1:9' },
      oathkeeper: {
        jwks: { url: 'http://127.0.0.1:9/.well-known/jwks.json' },
        audience: 'inventory-api',
        issuer: 'https://gateway.example.com',
        serviceIssuer: SERVICE_ISSUER,
        replayProtection: { enabled: true },
        identityHeader: 'Authorization',
      },
    },
  },
};

/**
 * Service routes of two scope sets and of a client id alone, beside user routes: `levels` (a
 * service route) falls under the user route `:sku`, which the regexp strategy separates.
 */
@Controller('inventory')
export class InventoryController {
  @Post('reserve')
  @RequireService('orders-api')
  @RequireScope('inventory:reserve')
  reserve() {}

  @Post('release')
  @RequireScope('inventory:reserve')
  release() {}

  @Get('levels')
  @RequireService('orders-api', 'billing-api')
  @RequireScope('inventory:read', 'inventory:audit')
  levels() {}

  @Get('health')
  @RequireService('monitor')
  health() {}

  @Get(':sku')
  one() {}

  @Public()
  @Get()
  catalog() {}
}

@Module({ imports: [IamModule.forRoot(INVENTORY_OPTIONS)], controllers: [InventoryController] })
export class InventoryAppModule {}

/** The same routes on a tenant that accepts no machine callers through Oathkeeper. */
const { serviceIssuer: _dropped, ...withoutServiceIssuer } =
  INVENTORY_OPTIONS.tenants.default?.oathkeeper ?? {};

@Module({
  imports: [
    IamModule.forRoot({
      tenants: {
        default: { ...INVENTORY_OPTIONS.tenants.default, oathkeeper: withoutServiceIssuer },
      },
    } as IamModuleOptions),
  ],
  controllers: [InventoryController],
})
export class NoServiceIssuerAppModule {}

@Controller('stock')
export class MixedController {
  @Post('adjust')
  @RequireRole('clerk')
  @RequireService('orders-api')
  adjust() {}

  @Get()
  list() {}
}

@Module({ imports: [IamModule.forRoot(INVENTORY_OPTIONS)], controllers: [MixedController] })
export class MixedAppModule {}

/** A Kratos transport: the gateway introspects, the service verifies the token itself. */
@Module({
  imports: [
    IamModule.forRoot({
      tenants: {
        default: { transport: 'bearer', kratos: { publicUrl: 'http://127.0.0.1:9' } },
      },
    }),
  ],
  controllers: [InventoryController],
})
export class BearerInventoryAppModule {}
