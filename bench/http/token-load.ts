/** The load the profiling scripts of bench/http put on one server: GET /orders with a token each. */

import autocannon from 'autocannon';
import type { Kind } from './app-module.js';
import { KINDS } from './kinds.js';

/** Whether `kind` is sent a new token per request; otherwise one token, resent (kinds.ts). */
export function sendsUniqueTokens(kind: Kind): boolean {
  return KINDS.find(([each]) => each === kind)?.[2] ?? true;
}

/**
 * `amount` requests at 10 connections to the server on `port`, each with the pool's next
 * Authorization header; the pool is walked on across calls, so a warm-up uses tokens of its own.
 */
export function tokenLoad(
  port: number,
  pool: readonly string[],
): (amount: number) => Promise<autocannon.Result> {
  let next = 0;
  return (amount) =>
    autocannon({
      url: `http://127.0.0.1:${port}`,
      connections: 10,
      amount,
      requests: [
        {
          method: 'GET',
          path: '/orders',
          setupRequest: (request) => {
            request.headers = {
              ...request.headers,
              authorization: pool[next++ % pool.length] as string,
            };
            return request;
          },
        },
      ],
    });
}
