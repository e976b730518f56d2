import { HttpException } from '@nestjs/common';

/** inventory-api's refusals, with a stable `code` like the library's. */
export class InventoryError extends HttpException {
  constructor(
    status: 400 | 404 | 409,
    readonly code:
      | 'inventory.invalid_reservation'
      | 'inventory.unknown_sku'
      | 'inventory.insufficient_stock'
      | 'inventory.reservation_conflict',
    message: string,
  ) {
    super({ statusCode: status, code, message }, status);
  }
}
