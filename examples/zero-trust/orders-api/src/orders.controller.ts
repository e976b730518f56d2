import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { CurrentUser, type IamIdentity, RequirePermission } from 'nestjs-ory-iam';

@Controller('orders')
export class OrdersController {
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

  @Post()
  create(@Body() body: { sku: string }, @CurrentUser() user: IamIdentity) {
    return { id: 'o-new', createdBy: user.id, ...body };
  }
}
