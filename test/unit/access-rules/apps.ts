import {
  Controller,
  Delete,
  Get,
  Injectable,
  Module,
  Post,
  UseGuards,
  Version,
} from '@nestjs/common';
import {
  Anonymous,
  IamModule,
  type IamModuleOptions,
  Public,
  RequirePermission,
  RequireRole,
  SessionGuard,
} from '../../../src/index.js';

/** Proves the generator instantiates nothing: constructing this fails the test. */
@Injectable()
export class Database {
  constructor() {
    throw new Error('the generator must not instantiate providers');
  }
}

export const ORDERS_OPTIONS: IamModuleOptions = {
  tenants: {
    acme: {
      transport: 'oathkeeper',
      kratos: { publicUrl: 'http://127.0.0.1:9' },
      oathkeeper: {
        jwks: { url: 'http://127.0.0.1:9/.well-known/jwks.json' },
        audience: 'orders-api',
        replayProtection: { enabled: true },
        identityHeader: 'Authorization',
      },
    },
  },
};

@Controller('orders')
export class OrdersController {
  constructor(readonly database: Database) {}

  @Public()
  @Get('catalog')
  catalog() {}

  @Get()
  list() {}

  @Get(':id')
  one() {}

  @Post()
  @RequireRole('clerk')
  create() {}

  @Delete(':id')
  @RequirePermission({ namespace: 'orders', relation: 'delete', object: (req) => req.params.id })
  remove() {}
}

@Public()
@Controller({ path: 'health', version: '2' })
export class HealthController {
  @Get()
  check() {}

  @Version('3')
  @Get('deep')
  deep() {}
}

@Module({
  imports: [IamModule.forRoot(ORDERS_OPTIONS)],
  controllers: [OrdersController, HealthController],
  providers: [Database],
})
export class OrdersAppModule {}

/** `export` falls under `:id` (split); `:id/summary` and `archive/:part` cross (refused). */
@Controller('orders')
export class ClashingController {
  @Public()
  @Get('export')
  export() {}

  @Get(':id')
  one() {}

  @Public()
  @Get(':id/summary')
  summary() {}

  @Get('archive/:part')
  archive() {}
}

@Module({ imports: [IamModule.forRoot(ORDERS_OPTIONS)], controllers: [ClashingController] })
export class ClashingAppModule {}

@Controller('feed')
export class FeedController {
  @Anonymous()
  @Get()
  feed() {}

  @UseGuards(SessionGuard)
  @Get('mine')
  mine() {}

  @Get('open')
  open() {}
}

const COOKIE_OPTIONS: IamModuleOptions = {
  global: false,
  tenants: { default: { transport: 'cookie', kratos: { publicUrl: 'http://127.0.0.1:9' } } },
};

@Module({ imports: [IamModule.forRoot(COOKIE_OPTIONS)], controllers: [FeedController] })
export class CookieFeedModule {}

@Module({ imports: [IamModule.forRoot(ORDERS_OPTIONS)], controllers: [FeedController] })
export class OathkeeperFeedModule {}

@Module({
  imports: [IamModule.forRootAsync({ useFactory: () => ORDERS_OPTIONS })],
  controllers: [OrdersController],
  providers: [Database],
})
export class AsyncOptionsModule {}
