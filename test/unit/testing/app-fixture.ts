import {
  Controller,
  type DynamicModule,
  Get,
  Inject,
  Module,
  Param,
  Post,
  Req,
} from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import {
  CurrentUser,
  type IamIdentity,
  IamModule,
  type IamModuleOptions,
  PermissionService,
  RequirePermission,
  RequireRole,
  SessionService,
  type WhoamiSource,
} from '../../../src/index.js';

/**
 * What a user's app looks like: an AppModule importing IamModule configured for a real
 * Oathkeeper (JWKS and Keto on ports nothing answers on). The real guard answers 401 to a request
 * without a token and 503 to a permission check; only the testing module lets them through.
 */
export const REAL_OPTIONS: IamModuleOptions = {
  tenants: {
    default: {
      transport: 'oathkeeper',
      oathkeeper: {
        verifier: 'jwt',
        jwks: { url: 'http://127.0.0.1:9/.well-known/jwks.json' },
        audience: 'orders-api',
        identityHeader: 'Authorization',
      },
      keto: { readUrl: 'http://127.0.0.1:9' },
    },
  },
};

@Controller('orders')
export class OrdersController {
  constructor(
    @Inject(PermissionService) private readonly permissions: PermissionService,
    @Inject(SessionService) private readonly sessions: SessionService,
  ) {}

  @Get('session')
  async session(@Req() request: WhoamiSource) {
    const session = await this.sessions.forTenant('default').whoami(request);
    return { identity: session.identity?.id, active: session.active };
  }

  @Post(':id/share/:user')
  async share(@Param('id') id: string, @Param('user') user: string) {
    await this.permissions
      .forTenant('default')
      .grant({ namespace: 'orders', object: id, relation: 'view', subject: user });
    return { shared: true };
  }

  @Get('me')
  me(@CurrentUser() user: IamIdentity) {
    return { id: user.id, roles: user.roles, via: user.via };
  }

  @Get('admin')
  @RequireRole('admin')
  admin() {
    return { ok: true };
  }

  @Get(':id')
  @RequirePermission({
    namespace: 'orders',
    relation: 'view',
    object: (req) => req.params.id ?? '',
  })
  one() {
    return { ok: true };
  }
}

function appModule(iam: DynamicModule): DynamicModule {
  @Module({ imports: [iam], controllers: [OrdersController] })
  class AppModule {}
  return { module: AppModule };
}

/** The app as `IamModule.forRoot(...)` configures it. */
export const forRootApp = (): DynamicModule => appModule(IamModule.forRoot(REAL_OPTIONS));

/** The app as `IamModule.forRootAsync(...)` with `@nestjs/config` configures it. */
export const forRootAsyncApp = (): DynamicModule =>
  appModule(
    IamModule.forRootAsync({
      imports: [ConfigModule.forRoot({ ignoreEnvFile: true })],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        ...REAL_OPTIONS,
        global: config.get<boolean>('IAM_GLOBAL', true),
      }),
    }),
  );
