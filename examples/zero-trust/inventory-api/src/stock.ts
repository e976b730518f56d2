import { Injectable } from '@nestjs/common';
import { InventoryError } from './inventory-error';
import type { ReservationRequest } from './reservation-request';

export interface Reservation {
  readonly orderId: string;
  readonly sku: string;
  readonly quantity: number;
  /** The calling service's client id, from its verified token. */
  readonly reservedBy: string;
  readonly reservedFor: string;
}

export interface StockLevel {
  readonly sku: string;
  readonly available: number;
  readonly reserved: number;
}

const initialStock: Readonly<Record<string, number>> = { 'sku-1': 12, 'sku-2': 3, 'sku-7': 50 };

/**
 * The example's stock, in memory (one process, lost on restart; a real service keeps it in its
 * database). Reservations are idempotent per order id: the same order reserved again gets the
 * first reservation back and takes nothing more, so a caller may retry a call whose answer it
 * never saw.
 */
@Injectable()
export class Stock {
  private readonly available = new Map(Object.entries(initialStock));
  private readonly reservations = new Map<string, Reservation>();

  levels(): StockLevel[] {
    return [...this.available].map(([sku, available]) => ({
      sku,
      available,
      reserved: [...this.reservations.values()]
        .filter((reservation) => reservation.sku === sku)
        .reduce((sum, reservation) => sum + reservation.quantity, 0),
    }));
  }

  /** `replayed`: this order id was reserved before, and nothing was taken this time. */
  reserve(
    request: ReservationRequest,
    reservedBy: string,
  ): { reservation: Reservation; replayed: boolean } {
    const existing = this.reservations.get(request.orderId);
    if (existing !== undefined) {
      if (existing.sku !== request.sku || existing.quantity !== request.quantity) {
        throw new InventoryError(
          409,
          'inventory.reservation_conflict',
          'this order id was reserved with another sku or quantity',
        );
      }
      return { reservation: existing, replayed: true };
    }
    const available = this.available.get(request.sku);
    if (available === undefined) {
      throw new InventoryError(404, 'inventory.unknown_sku', 'no such sku');
    }
    if (available < request.quantity) {
      throw new InventoryError(409, 'inventory.insufficient_stock', 'not enough stock');
    }
    const reservation: Reservation = {
      orderId: request.orderId,
      sku: request.sku,
      quantity: request.quantity,
      reservedBy,
      reservedFor: request.onBehalfOf,
    };
    // Check and take in one synchronous step: no await between them, so no other request interleaves.
    this.available.set(request.sku, available - request.quantity);
    this.reservations.set(request.orderId, reservation);
    return { reservation, replayed: false };
  }
}
