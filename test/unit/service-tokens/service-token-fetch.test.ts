import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenEndpoint } from '../../../src/ory/hydra/hydra-token-endpoint.js';
import { CachedTenantServiceTokens } from '../../../src/service-tokens/tenant-service-tokens.js';
import { ServiceTokenCache } from '../../../src/service-tokens/token-cache.js';

/** Answers every request with the headers it received. */
let server: Server;
let url: string;
const issued: string[] = [];

const endpoint: TokenEndpoint = {
  async issue(request) {
    issued.push(request.audience.join(' '));
    return {
      accessToken: `token-for-${request.audience.join('+')}`,
      expiresInMs: 60_000,
      scope: [],
    };
  },
};

function tokens(): CachedTenantServiceTokens {
  const cache = new ServiceTokenCache(
    endpoint,
    { expiryMarginMs: 1_000, refreshAheadMs: 0, fetchBudgetMs: 1_000 },
    () => undefined,
  );
  return new CachedTenantServiceTokens(cache, 1_000, undefined);
}

async function headersOf(response: Response): Promise<IncomingHttpHeaders> {
  return (await response.json()) as IncomingHttpHeaders;
}

beforeAll(async () => {
  server = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(request.headers));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/inventory/reserve`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('TenantServiceTokens.fetch', () => {
  it('sends the token as Bearer in Authorization, keeping the caller’s headers', async () => {
    const inventory = tokens().fetch({ audience: 'inventory-api' });
    const headers = await headersOf(
      await inventory(url, { method: 'POST', headers: { 'X-Request-Id': 'r-1' }, body: '{}' }),
    );
    expect(headers.authorization).toBe('Bearer token-for-inventory-api');
    expect(headers['x-request-id']).toBe('r-1');
  });

  it('uses the header asked for, replacing one the caller set, and reads a Request’s headers', async () => {
    const inventory = tokens().fetch({
      audience: 'billing-api',
      header: 'X-Service-Authorization',
    });
    const request = new Request(url, {
      headers: { 'X-Service-Authorization': 'Bearer forged', Authorization: 'Basic user' },
    });
    const headers = await headersOf(await inventory(request));
    expect(headers['x-service-authorization']).toBe('Bearer token-for-billing-api');
    expect(headers.authorization).toBe('Basic user');
  });

  it('does not call when the caller’s signal is already aborted', async () => {
    const before = issued.length;
    const inventory = tokens().fetch({ audience: 'other-api' });
    await expect(inventory(url, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'service_token.unavailable',
    });
    expect(issued.length).toBe(before);
  });
});
