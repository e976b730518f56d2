import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A JWKS endpoint on 127.0.0.1 for unit tests, serving whatever body the test sets. Unlike the test
 * signer's server it can hold answers until the test releases them, so "concurrent misses share
 * one fetch" is asserted by events, not by timing.
 */
export interface LocalJwksServer {
  readonly url: string;
  /** Requests received so far (answered or held). */
  readonly requests: number;
  setBody(body: unknown): void;
  /** false: every request gets a 503. */
  setAvailable(available: boolean): void;
  /** Holds every later request until `release()` is called. */
  hold(): void;
  /** Answers the held requests and stops holding. */
  release(): void;
  /** Resolves once `count` requests in total were received. */
  waitForRequests(count: number): Promise<void>;
  close(): Promise<void>;
}

export async function startJwksServer(initialBody: unknown): Promise<LocalJwksServer> {
  let body = initialBody;
  let available = true;
  let holding = false;
  let requests = 0;
  const held: ServerResponse[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];

  const answer = (response: ServerResponse): void => {
    if (!available) {
      response.writeHead(503).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };

  const server = createServer((_request: IncomingMessage, response: ServerResponse) => {
    requests += 1;
    for (const waiter of waiters.filter((w) => w.count <= requests)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    if (holding) held.push(response);
    else answer(response);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    get requests() {
      return requests;
    },
    setBody: (value) => {
      body = value;
    },
    setAvailable: (value) => {
      available = value;
    },
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      for (const response of held.splice(0)) answer(response);
    },
    waitForRequests: (count) =>
      count <= requests
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ count, resolve })),
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
