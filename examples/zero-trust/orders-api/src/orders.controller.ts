import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Inject, Param, Post } from '@nestjs/common';
import { CurrentUser, type IamIdentity, RequirePermission } from 'nestjs-ory-iam';
import { InventoryClient, type Reservation } from './inventory-client';
import { parseOrderRequest } from './order-request';

@Controller('orders')
export class OrdersController {
  constructor(@Inject(InventoryClient) private readonly inventory: InventoryClient) {}

  @Get()
  list(@CurrentUser() user: IamIdentity) {
    return { user: user.id, orders: [{ id: 'o-1' }, { id: 'o-2' }] };
  }

  @Get(':id')
  @RequirePermission({
    namespace: 'orders',
    relation: 'view',
    object: (req) => `orders:${req.params.id}`,
  })
  get(@Param('id') id: string, @CurrentUser() user: IamIdentity) {
    return { id, owner: user.id };
  }

  // The user's order; the stock is reserved on inventory-api by this service as itself (OAuth2
  // client `orders-api`, through Oathkeeper), for the user, before the order exists.
  @Post()
  async create(@Body() body: unknown, @CurrentUser() user: IamIdentity) {
    const { sku, quantity } = parseOrderRequest(body);
    const orderId = randomUUID();
    const reservation: Reservation = await this.inventory.reserve(user.tenant, {
      orderId,
      sku,
      quantity,
      reservedFor: user.id,
    });
    return { id: orderId, sku, quantity, createdBy: user.id, reservation };
  }
}
