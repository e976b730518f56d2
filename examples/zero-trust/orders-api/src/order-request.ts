import { OrderError } from './order-error';

/** A `POST /orders` body once checked. */
export interface OrderRequest {
  readonly sku: string;
  readonly quantity: number;
}

const skuPattern = /^[a-z0-9][a-z0-9-]{0,63}$/;
const maxQuantity = 100;

/**
 * Checks a `POST /orders` body: `{ sku, quantity? }` (quantity defaults to 1), nothing else. A bad
 * body is a 400 `orders.invalid_body` before anything is reserved.
 */
export function parseOrderRequest(body: unknown): OrderRequest {
  const invalid = (why: string) => new OrderError(400, 'orders.invalid_body', why);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('the body must be a JSON object: { "sku": "sku-1", "quantity": 2 }');
  }
  const { sku, quantity = 1, ...rest } = body as Record<string, unknown>;
  if (Object.keys(rest).length > 0) throw invalid('only sku and quantity are accepted');
  if (typeof sku !== 'string' || !skuPattern.test(sku)) {
    throw invalid('sku must be lowercase letters, digits and dashes (at most 64)');
  }
  if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1) {
    throw invalid('quantity must be a whole number of at least 1');
  }
  if (quantity > maxQuantity) throw invalid(`quantity must be at most ${maxQuantity}`);
  return { sku, quantity };
}
