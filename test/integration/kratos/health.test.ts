import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_SINK, IamHealthCheckError, IamHealthIndicator } from '../../../src/index.js';
import { closedPortUrl } from '../../support/closed-port.js';
import { useOryStack } from '../../support/ory/vitest.js';
import { type IamApp, startIamApp } from './support.js';

// The indicator does not depend on the HTTP platform: one is enough.
describe('IamHealthIndicator against the real servers', () => {
  const platform = 'fastify';
  const ory = useOryStack({ keto: true, oathkeeper: { routes: {} } });
  let app: IamApp;

  beforeAll(async () => {
    const { kratosPublic, ketoRead, jwksUrl } = ory().urls;
    if (kratosPublic === undefined || ketoRead === undefined || jwksUrl === undefined) {
      throw new Error('the stack lacks a server');
    }
    // The key store's first fetch runs in the background; the health check reports it once done.
    let loaded: () => void = () => undefined;
    const jwksLoaded = new Promise<void>((resolve) => {
      loaded = resolve;
    });
    const sink = {
      emit: (event: { name: string }) => event.name === 'jwks.refresh.success' && loaded(),
    };
    app = await startIamApp(
      platform,
      {
        transport: 'oathkeeper',
        kratos: { publicUrl: kratosPublic },
        keto: { readUrl: ketoRead },
        oathkeeper: { jwks: { url: jwksUrl }, audience: 'orders-api' },
      },
      { providers: [{ provide: AUDIT_SINK, useValue: sink }] },
    );
    await jwksLoaded;
  });
  afterAll(() => app?.close());

  it('reports Kratos, Keto and the JWKS endpoint up, with the key store Oathkeeper’s JWKS filled', async () => {
    expect(await app.app.get(IamHealthIndicator).isHealthy('iam')).toEqual({
      iam: {
        status: 'up',
        tenants: {
          default: {
            kratos: { status: 'up' },
            keto: { status: 'up' },
            jwks: {
              status: 'up',
              keyStore: {
                keys: 1,
                lastRefreshAgeMs: expect.any(Number),
                failing: false,
                stale: false,
              },
            },
          },
        },
      },
    });
  });

  it('reports a dependency that does not answer as down, with causes terminus understands', async () => {
    const { kratosPublic } = ory().urls;
    const broken = await startIamApp(platform, {
      transport: 'bearer',
      kratos: { publicUrl: kratosPublic ?? '' },
      keto: { readUrl: await closedPortUrl() },
    });
    try {
      const error = await broken.app
        .get(IamHealthIndicator)
        .isHealthy('iam')
        .catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(IamHealthCheckError);
      expect(error).toMatchObject({
        isHealthCheckError: true,
        causes: {
          iam: {
            status: 'down',
            tenants: {
              default: {
                kratos: { status: 'up' },
                keto: { status: 'down', message: 'unreachable' },
              },
            },
          },
        },
      });
    } finally {
      await broken.close();
    }
  });
});
