/**
 * The service-to-service call of the example (issue 20), shared by `run.ts --smoke` and the e2e
 * test: `POST /orders` on orders-api reserves stock with `POST /inventory/reserve` on
 * inventory-api as the OAuth2 client `orders-api`, through the front door, and nothing but that
 * client's token with that scope and audience gets through.
 */
import { clientCredentialsToken } from '../../../test/support/ory/hydra-clients.js';
import {
  type Answer,
  bearer,
  call,
  expectAnswer,
  expectGatewayRefusal,
  type StepLog,
} from './http.js';
import type { Login } from './walkthrough.js';
import type { ZeroTrust } from './zero-trust-stack.js';

export interface StockLevel {
  readonly sku: string;
  readonly available: number;
  readonly reserved: number;
}

export interface PlacedOrder {
  readonly id: string;
  readonly sku: string;
  readonly quantity: number;
  readonly reservation: { readonly reservedBy: string; readonly reservedFor: string };
}

/** inventory-api's stock of one sku, read through the front door with the user's session. */
export async function stockOf(stack: ZeroTrust, user: Login, sku: string): Promise<StockLevel> {
  const levels = expectAnswer(
    await call(`${stack.proxy}/inventory`, { headers: bearer(user.sessionToken) }),
    200,
  ) as StockLevel[];
  const level = levels.find((entry) => entry.sku === sku);
  if (level === undefined) throw new Error(`inventory-api lists no ${sku}`);
  return level;
}

/** `POST /orders` through the front door as the user. */
export const placeOrder = (stack: ZeroTrust, user: Login, order: unknown): Promise<Answer> =>
  call(`${stack.proxy}/orders`, {
    method: 'POST',
    headers: bearer(user.sessionToken),
    json: order,
  });

/** `POST /inventory/reserve` through the front door with this bearer token (a service's, or not). */
export const reserveThroughGateway = (stack: ZeroTrust, token: string, body: unknown) =>
  call(`${stack.proxy}/inventory/reserve`, { method: 'POST', headers: bearer(token), json: body });

/** A Hydra access token of orders-api's client, as a test asks for it (its secret from this run). */
export const ordersApiToken = (
  stack: ZeroTrust,
  request: { readonly scope: readonly string[]; readonly audience: readonly string[] },
) => clientCredentialsToken(stack.hydraPublic, stack.ordersClient, request);

/** The id_token the gateway sent with the last reservation that reached inventory-api. */
export function lastReservationJwt(stack: ZeroTrust): string {
  const hit = stack.inventoryCalls.findLast((entry) => entry.url === '/inventory/reserve');
  const authorization = hit?.headers.authorization;
  if (authorization === undefined || !authorization.startsWith('Bearer ')) {
    throw new Error('no reservation with Authorization: Bearer reached inventory-api');
  }
  return authorization.slice('Bearer '.length);
}

/**
 * The call and its refusals: the order reserves stock once, as `orders-api` for the user; a user
 * calling /inventory/reserve, a token without the scope and one for no audience are refused at
 * the gateway; the id_token of the service call, replayed to inventory-api, is refused there.
 * With `recordInventoryCalls` (the replay needs the recorded token).
 */
export async function serviceCallChecks(stack: ZeroTrust, log: StepLog, user: Login) {
  const { door, front } = stack;
  const before = await stockOf(stack, user, 'sku-1');
  const order = await log.step(
    `POST /orders through ${door}: orders-api reserves on inventory-api as orders-api, through the same door`,
    async () => {
      const placed = expectAnswer(
        await placeOrder(stack, user, { sku: 'sku-1', quantity: 2 }),
        201,
      ) as PlacedOrder;
      const { reservedBy, reservedFor } = placed.reservation;
      if (reservedBy !== 'orders-api' || reservedFor !== user.identityId) {
        throw new Error(`reserved by ${reservedBy} for ${reservedFor}`);
      }
      return placed;
    },
    (placed) => `201, order ${placed.id} reserved by orders-api for the user`,
  );
  await log.step(
    'the stock of sku-1 went down by the order, once',
    async () => {
      const after = await stockOf(stack, user, 'sku-1');
      if (after.available !== before.available - order.quantity) {
        throw new Error(`available ${before.available} -> ${after.available}`);
      }
    },
    () => `${before.available} -> ${before.available - order.quantity}`,
  );
  await log.step(
    'POST /inventory/reserve as the user (session token)',
    async () =>
      expectGatewayRefusal(
        await reserveThroughGateway(stack, user.sessionToken, { sku: 'sku-1', quantity: 1 }),
        front,
        401,
      ),
    () => '401 at the gateway: Hydra knows no such token (introspection: inactive)',
  );
  await log.step(
    'replay the id_token of the service call straight to inventory-api',
    async () =>
      expectAnswer(
        await call(`${stack.inventoryApi.url}/inventory/reserve`, {
          method: 'POST',
          headers: bearer(lastReservationJwt(stack)),
          json: { orderId: order.id, sku: 'sku-1', quantity: order.quantity, onBehalfOf: 'x' },
        }),
        401,
        'auth.failure.replay',
      ),
    () => '401 auth.failure.replay',
  );
  const refusedTokens = [
    {
      name: "orders-api's Hydra token without inventory:reserve",
      request: { scope: [], audience: ['inventory-api'] },
      // Oathkeeper sends the rule's required_scope along; Hydra calls such a token inactive.
      status: 401,
      why: 'Hydra: inactive for inventory:reserve',
    },
    {
      name: "orders-api's Hydra token for no audience (not inventory-api's)",
      request: { scope: ['inventory:reserve'], audience: [] },
      status: 403,
      why: "not the rule's target_audience",
    },
  ] as const;
  for (const token of refusedTokens) {
    await log.step(
      `POST /inventory/reserve through ${door} with ${token.name}`,
      async () => {
        const accessToken = await ordersApiToken(stack, token.request);
        const answer = await reserveThroughGateway(stack, accessToken, {
          orderId: crypto.randomUUID(),
          sku: 'sku-1',
          quantity: 1,
          onBehalfOf: user.identityId,
        });
        expectGatewayRefusal(answer, front, token.status);
      },
      () => `${token.status} at the gateway (${token.why})`,
    );
  }
}
