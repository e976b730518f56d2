import { Body, Controller, Get, Inject, Param, Post } from '@nestjs/common';
import {
  CurrentUser,
  type IamIdentity,
  Public,
  RequirePermission,
  RequireRole,
  RequireScope,
  RequireService,
} from 'nestjs-ory-iam';
import { parseReservation } from './reservation-request';
import { Stock } from './stock';

@Controller('inventory')
export class InventoryController {
  constructor(@Inject(Stock) private readonly stock: Stock) {}

  // Health is open for k8s/ELB probes.
  @Get('health')
  @Public()
  health() {
    return { status: 'ok' };
  }

  // Any authenticated user can read — no extra decorator needed;
  // SessionGuard is global and satisfied by the Oathkeeper JWT.
  @Get()
  list() {
    return this.stock.levels();
  }

  // Only warehouse admins can adjust stock (role claim on the JWT).
  @Post('adjust')
  @RequireRole('warehouse:admin')
  adjust(@Body() body: { sku: string; delta: number }) {
    return { ok: true, ...body };
  }

  // Permission-scoped: can THIS user view THIS sku's ledger? Keto call.
  @Get(':sku/ledger')
  @RequirePermission({
    namespace: 'listings',
    relation: 'view',
    object: (req) => `inventory:${req.params.sku}`,
  })
  ledger(@Param('sku') sku: string, @CurrentUser() user: IamIdentity) {
    return { sku, viewer: user.id };
  }

  // Services only: the OAuth2 client orders-api with the inventory:reserve scope, through
  // Oathkeeper's oauth2_introspection rule (a token minted with oathkeeper.serviceIssuer). A user's
  // token is refused (403 authz.caller_kind.deny), as is another client (authz.service.deny) or a
  // token without the scope (authz.scope.deny). Idempotent per orderId: a retry takes nothing more.
  @Post('reserve')
  @RequireService('orders-api')
  @RequireScope('inventory:reserve')
  reserve(@Body() body: unknown, @CurrentUser() caller: IamIdentity) {
    const { reservation, replayed } = this.stock.reserve(parseReservation(body), caller.id);
    return { ...reservation, replayed };
  }
}
