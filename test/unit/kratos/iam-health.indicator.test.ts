import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IamModuleOptions } from '../../../src/config/module-options.js';
import { validateIamOptions } from '../../../src/config/validate-options.js';
import { IamConfigurationError } from '../../../src/errors/iam-errors.js';
import {
  IamHealthCheckError,
  IamHealthIndicator,
} from '../../../src/health/iam-health.indicator.js';

type Handler = (response: ServerResponse) => void;

/** A loopback server whose answer per path the test sets; counts requests per path. */
const routes = new Map<string, Handler>();
const hits = new Map<string, number>();
let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const path = request.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const handler = routes.get(path);
    if (handler === undefined) response.writeHead(404).end();
    else handler(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const ok: Handler = (response) => response.writeHead(200).end('{"status":"ok"}');
const jwks: Handler = (response) =>
  response.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[{"kty":"RSA"}]}');

function indicator(options: IamModuleOptions): IamHealthIndicator {
  return new IamHealthIndicator(validateIamOptions(options));
}

function fullTenant(prefix: string) {
  return {
    transport: 'oathkeeper' as const,
    kratos: { publicUrl: `${origin}/${prefix}kratos` },
    keto: { readUrl: `${origin}/${prefix}keto` },
    oathkeeper: { jwks: { url: `${origin}/${prefix}jwks` }, audience: 'api' },
  };
}

async function failureOf(promise: Promise<unknown>): Promise<IamHealthCheckError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof IamHealthCheckError) return error;
    throw error;
  }
  throw new Error('expected the health check to fail');
}

describe('IamHealthIndicator', () => {
  it('reports every dependency of every tenant up, in the shape terminus expects', async () => {
    routes.set('/a/kratos/health/ready', ok).set('/a/keto/health/ready', ok).set('/a/jwks', jwks);

    const result = await indicator({ tenants: { default: fullTenant('a/') } }).isHealthy('iam');

    expect(result).toEqual({
      iam: {
        status: 'up',
        tenants: {
          default: { kratos: { status: 'up' }, keto: { status: 'up' }, jwks: { status: 'up' } },
        },
      },
    });
  });

  it('throws an error carrying causes and isHealthCheckError when one dependency is down', async () => {
    routes
      .set('/b/kratos/health/ready', ok)
      .set('/b/keto/health/ready', (response) => response.writeHead(503).end())
      .set('/b/jwks', (response) => response.writeHead(200).end('{"keys":[]}'));

    const error = await failureOf(
      indicator({ tenants: { default: fullTenant('b/') } }).isHealthy('identity'),
    );

    expect(error.isHealthCheckError).toBe(true);
    expect(error.causes).toEqual({
      identity: {
        status: 'down',
        tenants: {
          default: {
            kratos: { status: 'up' },
            keto: { status: 'down', message: 'answered 503' },
            jwks: { status: 'down', message: 'answered without a key set holding keys' },
          },
        },
      },
    });
    expect(JSON.stringify(error.causes)).not.toContain(origin);
  });

  it('gives up on a dependency that does not answer within the timeout, without retrying', async () => {
    routes.set('/c/kratos/health/ready', () => undefined);
    const started = Date.now();

    const error = await failureOf(
      indicator({
        tenants: { default: { transport: 'bearer', kratos: { publicUrl: `${origin}/c/kratos` } } },
      }).isHealthy('iam', { timeoutMs: 200 }),
    );

    expect(Date.now() - started).toBeLessThan(1_500);
    expect(error.causes.iam?.tenants.default?.kratos).toEqual({
      status: 'down',
      message: 'no answer within 200 ms',
    });
    expect(hits.get('/c/kratos/health/ready')).toBe(1);
  });

  it('reports an unreachable dependency as down', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    const error = await failureOf(
      indicator({
        tenants: {
          default: { transport: 'bearer', kratos: { publicUrl: `http://127.0.0.1:${port}` } },
        },
      }).isHealthy(),
    );

    expect(error.causes.iam?.tenants.default?.kratos).toEqual({
      status: 'down',
      message: 'unreachable',
    });
  });

  it('reads at most jwks.maxBytes of a JWKS, as the key store does', async () => {
    const big = JSON.stringify({ keys: [{ kty: 'RSA' }], padding: 'x'.repeat(8_192) });
    routes.set('/f/jwks', (response) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end(big),
    );
    const tenant = (maxBytes: number) => ({
      tenants: {
        default: {
          transport: 'oathkeeper' as const,
          oathkeeper: { jwks: { url: `${origin}/f/jwks`, maxBytes }, audience: 'api' },
        },
      },
    });

    const error = await failureOf(indicator(tenant(4_096)).isHealthy());
    expect(error.causes.iam?.tenants.default?.jwks).toEqual({
      status: 'down',
      message: 'answered with a key set larger than maxBytes',
    });
    expect((await indicator(tenant(big.length)).isHealthy()).iam?.status).toBe('up');
  });

  it('probes a URL shared by several tenants once, and only the selected tenants', async () => {
    routes.set('/d/kratos/health/ready', ok).set('/e/kratos/health/ready', ok);
    const shared = {
      transport: 'bearer' as const,
      kratos: { publicUrl: `${origin}/d/kratos`, tenantBinding: 'none' as const },
    };
    const health = indicator({
      tenants: {
        first: shared,
        second: shared,
        other: { transport: 'bearer', kratos: { publicUrl: `${origin}/e/kratos` } },
      },
      tenantResolver: { header: 'x-tenant' },
    });

    const result = await health.isHealthy('iam', { tenants: ['first', 'second'] });

    expect(Object.keys(result.iam?.tenants ?? {})).toEqual(['first', 'second']);
    expect(hits.get('/d/kratos/health/ready')).toBe(1);
    expect(hits.get('/e/kratos/health/ready')).toBeUndefined();
    await expect(health.isHealthy('iam', { tenants: ['typo'] })).rejects.toThrow(
      IamConfigurationError,
    );
  });
});
