import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import {
  CurrentUser,
  type IamIdentity,
  Public,
  RequirePermission,
  RequireRole,
} from 'nestjs-ory-iam';

@Controller('inventory')
export class InventoryController {
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
    return [{ sku: 'sku-1', qty: 12 }];
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
}
