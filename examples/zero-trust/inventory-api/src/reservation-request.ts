import { InventoryError } from './inventory-error';

/** A reservation request from a calling service, once checked. */
export interface ReservationRequest {
  readonly orderId: string;
  readonly sku: string;
  readonly quantity: number;
  /** The user the calling service reserves for: data it vouches for, not an identity we verified. */
  readonly onBehalfOf: string;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const skuPattern = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Checks a `POST /inventory/reserve` body; a bad one is a 400 `inventory.invalid_reservation`. */
export function parseReservation(body: unknown): ReservationRequest {
  const invalid = (why: string) => new InventoryError(400, 'inventory.invalid_reservation', why);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('the body must be a JSON object');
  }
  const { orderId, sku, quantity, onBehalfOf, ...rest } = body as Record<string, unknown>;
  if (Object.keys(rest).length > 0) {
    throw invalid('only orderId, sku, quantity and onBehalfOf are accepted');
  }
  if (typeof orderId !== 'string' || !uuidPattern.test(orderId)) {
    throw invalid('orderId must be a lowercase UUID');
  }
  if (typeof sku !== 'string' || !skuPattern.test(sku)) throw invalid('sku is not a valid sku');
  if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1) {
    throw invalid('quantity must be a whole number of at least 1');
  }
  if (typeof onBehalfOf !== 'string' || onBehalfOf.length === 0 || onBehalfOf.length > 128) {
    throw invalid('onBehalfOf must name the user the order is for');
  }
  return { orderId, sku, quantity, onBehalfOf };
}
