/**
 * GraphQL subscriptions over graphql-ws are refused unless @Public(): the guards cannot re-check a
 * subscription's credentials for as long as it streams, so they never pass one as authenticated.
 */
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { effects } from './resolvers.js';
import { GRAPHQL_SERVERS, type GraphqlApp, startGraphqlApp } from './support.js';

/** Subscribes once and answers the first result or the error, then disconnects. */
async function firstEvent(url: string, query: string, token?: string): Promise<unknown> {
  const client = createClient({
    url: `${url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    lazy: true,
    retryAttempts: 0,
    connectionParams: token === undefined ? {} : { Authorization: `Bearer ${token}` },
  });
  try {
    return await new Promise((resolve) => {
      const unsubscribe = client.subscribe(
        { query },
        {
          next: (value) => {
            unsubscribe();
            resolve({ next: value });
          },
          error: (error) => resolve({ error }),
          complete: () => resolve({ complete: true }),
        },
      );
    });
  } finally {
    await client.dispose();
  }
}

describe.each(GRAPHQL_SERVERS)('GraphQL subscriptions on $platform with $driver', (server) => {
  let app: GraphqlApp;

  beforeAll(async () => {
    app = await startGraphqlApp(server, { replay: true });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('refuses a protected subscription, with or without a token', async () => {
    for (const token of [undefined, app.token('alice')]) {
      const event = await firstEvent(app.url, 'subscription { ticks }', token);
      expect(JSON.stringify(event)).toContain('auth.failure.unsupported_context');
      expect(event).not.toHaveProperty('next.data.ticks');
    }
    expect(effects).not.toContain('ticks');
  });

  it('streams a public subscription', async () => {
    expect(await firstEvent(app.url, 'subscription { publicTicks }')).toEqual({
      next: { data: { publicTicks: 'tick' } },
    });
  });
});
