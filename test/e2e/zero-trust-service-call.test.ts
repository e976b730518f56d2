/**
 * The example's service-to-service call (issue 20) end to end, behind each front door in turn:
 * real Kratos, Keto, Hydra and Oathkeeper, the three apps as separate processes. `POST /orders` on
 * orders-api reserves stock with `POST /inventory/reserve` on inventory-api as the OAuth2 client
 * `orders-api` (a ServiceTokens token from Hydra), through the front door; Oathkeeper introspects
 * the token at Hydra and mints inventory-api's JWT with the service issuer. A recording proxy
 * between the gateway and inventory-api captures that JWT for the replay check. The steps share
 * one stack and run in order; Hydra is stopped in the last one.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type Answer,
  bearer,
  call,
  expectAnswer,
  StepLog,
} from '../../examples/zero-trust/support/http.js';
import {
  ordersApiToken,
  placeOrder,
  reserveThroughGateway,
  serviceCallChecks,
  stockOf,
} from '../../examples/zero-trust/support/service-call.js';
import {
  captureJwt,
  capturePath,
  demoPassword,
  type Login,
  registerViaBff,
} from '../../examples/zero-trust/support/walkthrough.js';
import {
  type Front,
  startZeroTrust,
  type ZeroTrust,
} from '../../examples/zero-trust/support/zero-trust-stack.js';
import { type EchoUpstream, startEchoUpstream } from '../support/ory/echo-upstream.js';
import { clientCredentialsToken, createServiceClient } from '../support/ory/hydra-clients.js';

const fronts: ReadonlyArray<readonly [string, Front]> = [
  ['Oathkeeper as the proxy', 'oathkeeper'],
  ["nginx asking Oathkeeper's decision API", 'nginx'],
];

/** The `Retry-After` of an answer in seconds; throws when it is missing or not a positive integer. */
function retryAfterOf(answer: Answer): number {
  const value = answer.headers?.get('retry-after');
  if (value === null || value === undefined || !/^[1-9]\d*$/.test(value)) {
    throw new Error(`no usable Retry-After: ${String(value)}`);
  }
  return Number(value);
}

describe.each(fronts)('the service-to-service call of the example through %s', (_name, front) => {
  const log = new StepLog((line) => console.log(`[service call ${front}] ${line}`));
  let stack: ZeroTrust | undefined;
  let capture: EchoUpstream | undefined;
  let user: Login = { sessionToken: '', identityId: '' };

  const zt = (): ZeroTrust => {
    if (stack === undefined) throw new Error('the stack did not start; see the beforeAll error');
    return stack;
  };
  const reservation = (orderId: string, quantity = 1) => ({
    orderId,
    sku: 'sku-2',
    quantity,
    onBehalfOf: user.identityId,
  });

  beforeAll(async () => {
    capture = await startEchoUpstream();
    stack = await startZeroTrust({
      ports: 'free',
      front,
      recordInventoryCalls: true,
      extraSessionRoutes: { [capturePath]: capture.url },
    });
    user = await registerViaBff(stack.proxy, `svc-${randomUUID()}@example.com`, demoPassword);
  });

  afterEach((context) => {
    if (context.task.result?.state === 'fail') {
      console.error(`Steps so far:\n${log.lines.join('\n')}\n${stack?.logTails(60) ?? ''}`);
    }
  });

  afterAll(async () => {
    await stack?.stop();
    await capture?.close();
  });

  it('reserves as orders-api through the gateway; refuses a user, a token without the scope or audience, and the replayed service JWT', async () => {
    await serviceCallChecks(zt(), log, user);
  });

  it('POST /orders refuses a bad body with 400 orders.invalid_body and reserves nothing', async () => {
    const before = await stockOf(zt(), user, 'sku-1');
    const reservationsBefore = zt().inventoryCalls.length;
    for (const body of [
      { sku: 'SKU 1' },
      { sku: 'sku-1', quantity: 0 },
      { sku: 'sku-1', quantity: 1.5 },
      { sku: 'sku-1', quantity: '2' },
      { sku: 'sku-1', quantity: 1, price: 0 },
      ['sku-1'],
    ]) {
      await log.step(
        `POST /orders with ${JSON.stringify(body)}`,
        async () => expectAnswer(await placeOrder(zt(), user, body), 400, 'orders.invalid_body'),
        () => '400 orders.invalid_body',
      );
    }
    expect(await stockOf(zt(), user, 'sku-1')).toEqual(before);
    // Not one of them reached inventory-api's reserve route.
    expect(
      zt()
        .inventoryCalls.slice(reservationsBefore)
        .filter((hit) => hit.url === '/inventory/reserve'),
    ).toEqual([]);
  });

  it('an order larger than the stock is 409 orders.insufficient_stock and takes nothing', async () => {
    const before = await stockOf(zt(), user, 'sku-2');
    expectAnswer(
      await placeOrder(zt(), user, { sku: 'sku-2', quantity: before.available + 1 }),
      409,
      'orders.insufficient_stock',
    );
    expect(await stockOf(zt(), user, 'sku-2')).toEqual(before);
  });

  it('a reservation is idempotent per order id: sent twice, stock is taken once', async () => {
    const token = await ordersApiToken(zt(), {
      scope: ['inventory:reserve'],
      audience: ['inventory-api'],
    });
    const before = await stockOf(zt(), user, 'sku-2');
    const orderId = randomUUID();
    const first = expectAnswer(
      await reserveThroughGateway(zt(), token, reservation(orderId)),
      201,
    ) as { replayed: boolean };
    const second = expectAnswer(
      await reserveThroughGateway(zt(), token, reservation(orderId)),
      201,
    ) as { replayed: boolean };
    expect([first.replayed, second.replayed]).toEqual([false, true]);
    expect({ ...second, replayed: false }).toEqual(first);
    expect(await stockOf(zt(), user, 'sku-2')).toEqual({
      sku: 'sku-2',
      available: before.available - 1,
      reserved: before.reserved + 1,
    });
    // The same order id with another quantity is a conflict, not a second reservation.
    expectAnswer(
      await reserveThroughGateway(zt(), token, reservation(orderId, 2)),
      409,
      'inventory.reservation_conflict',
    );
    expect((await stockOf(zt(), user, 'sku-2')).available).toBe(before.available - 1);
  });

  it('another client with the scope passes the gateway and is refused by inventory-api: 403 authz.service.deny', async () => {
    const reports = await createServiceClient(zt().hydraAdmin, {
      id: `reports-api-${randomUUID()}`,
      scope: ['inventory:reserve'],
      audience: ['inventory-api'],
    });
    const token = await clientCredentialsToken(zt().hydraPublic, reports, {
      scope: ['inventory:reserve'],
      audience: ['inventory-api'],
    });
    expectAnswer(
      await reserveThroughGateway(zt(), token, reservation(randomUUID())),
      403,
      'authz.service.deny',
    );
  });

  it("a user's own id_token for inventory-api is refused at /inventory/reserve: 403 authz.caller_kind.deny", async () => {
    if (capture === undefined) throw new Error('the capture upstream did not start');
    // Minted by a user rule (Kratos session), never used: only the caller's kind refuses it.
    const userJwt = await captureJwt(zt().proxy, capture, user.sessionToken);
    expectAnswer(
      await call(`${zt().inventoryApi.url}/inventory/reserve`, {
        method: 'POST',
        headers: bearer(userJwt),
        json: reservation(randomUUID()),
      }),
      403,
      'authz.caller_kind.deny',
    );
  });

  it('with Hydra down, POST /orders answers 503 with Retry-After and reserves nothing', async () => {
    const { ory, ordersApi } = zt();
    const before = await stockOf(zt(), user, 'sku-1');
    const callsBefore = zt().inventoryCalls.length;
    await log.step(
      'stop Hydra',
      () => ory.stopServer('hydra'),
      () => 'stopped',
    );
    await log.step(
      'POST /orders, orders-api holding a token from before: the gateway cannot introspect it',
      async () => {
        const answer = await placeOrder(zt(), user, { sku: 'sku-1', quantity: 1 });
        expectAnswer(answer, 503, 'orders.inventory_unavailable');
        return retryAfterOf(answer);
      },
      (seconds) => `503 orders.inventory_unavailable, Retry-After ${seconds}`,
    );
    await log.step(
      'restart orders-api (no token cached) and POST /orders: ServiceTokens cannot reach Hydra',
      async () => {
        await ordersApi.stop();
        await ordersApi.start();
        const answer = await placeOrder(zt(), user, { sku: 'sku-1', quantity: 1 });
        expectAnswer(answer, 503, 'service_token.unavailable');
        return retryAfterOf(answer);
      },
      (seconds) => `503 service_token.unavailable, Retry-After ${seconds}`,
    );
    expect(await stockOf(zt(), user, 'sku-1')).toEqual(before);
    const reserveCalls = zt()
      .inventoryCalls.slice(callsBefore)
      .filter((hit) => hit.url === '/inventory/reserve');
    expect(reserveCalls).toEqual([]);
  });
});
