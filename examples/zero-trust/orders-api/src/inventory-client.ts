import { Inject, Injectable } from '@nestjs/common';
import { IamHttpError, ServiceTokens } from 'nestjs-ory-iam';
import { OrderError } from './order-error';

/** What inventory-api recorded for one order. */
export interface Reservation {
  readonly orderId: string;
  readonly sku: string;
  readonly quantity: number;
  /** The client id inventory-api saw: `orders-api`. */
  readonly reservedBy: string;
  /** The user the order is for, sent as data (docs/service-to-service.md, "On behalf of a user"). */
  readonly reservedFor: string;
}

/** The request this service asks Hydra for: inventory-api's audience, the one scope it needs. */
const inventoryToken = { audience: 'inventory-api', scope: 'inventory:reserve' } as const;
/** One try, plus one more after a network failure or a 5xx: safe, inventory-api is idempotent per order id. */
const attempts = 2;
const attemptTimeoutMs = 5_000;

function codeOf(body: unknown): unknown {
  return typeof body === 'object' && body !== null ? (body as { code?: unknown }).code : undefined;
}

/**
 * Reserves stock on inventory-api as the OAuth2 client `orders-api`, through the gateway
 * (`INVENTORY_URL`: Oathkeeper's proxy or nginx, never inventory-api itself), with a token from
 * the library's ServiceTokens. A ServiceTokens failure (Hydra down) is its 503 with `Retry-After`,
 * thrown before anything is sent, so nothing is reserved.
 */
@Injectable()
export class InventoryClient {
  private readonly reserveUrl =
    `${process.env.INVENTORY_URL ?? 'http://127.0.0.1:4455'}/inventory/reserve`;

  constructor(@Inject(ServiceTokens) private readonly serviceTokens: ServiceTokens) {}

  async reserve(
    tenant: string,
    reservation: Omit<Reservation, 'reservedBy'>,
  ): Promise<Reservation> {
    const tokens = this.serviceTokens.forTenant(tenant);
    const call = tokens.fetch(inventoryToken);
    const { reservedFor, ...order } = reservation;
    const body = JSON.stringify({ ...order, onBehalfOf: reservedFor });
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      let response: Response;
      try {
        response = await call(this.reserveUrl, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body,
          signal: AbortSignal.timeout(attemptTimeoutMs),
        });
      } catch (error) {
        // The library's 503 (no token: Hydra down, refused, ...) goes to the caller as it is.
        if (error instanceof IamHttpError) throw error;
        continue; // the gateway did not answer: the same order id again
      }
      const answer: unknown = await response.json().catch(() => undefined);
      if (response.ok) return answer as Reservation;
      if (response.status >= 500) continue;
      if (response.status === 404) {
        throw new OrderError(404, 'orders.unknown_sku', 'no such sku in the inventory');
      }
      if (response.status === 409 && codeOf(answer) === 'inventory.insufficient_stock') {
        throw new OrderError(409, 'orders.insufficient_stock', 'not enough stock for this order');
      }
      if (response.status === 401) {
        // Hydra's keys or this client's secret may have changed: ask for a new token next time.
        tokens.invalidate(inventoryToken);
      }
      // 401/403 (or a 4xx this client does not expect) is this service's setup, not the user's fault.
      throw new OrderError(
        503,
        'orders.inventory_refused',
        'the inventory service refused this service; try again later',
        30,
      );
    }
    throw new OrderError(
      503,
      'orders.inventory_unavailable',
      'the inventory service is unavailable; try again later',
      5,
    );
  }
}
