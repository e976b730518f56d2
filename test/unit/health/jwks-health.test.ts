/**
 * The JWKS entry of the health indicator: the endpoint's answer combined with the tenant's key
 * store (key count, age of the last successful fetch, failing, stale), through a running module.
 */
import { Test } from '@nestjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { jwksHealth } from '../../../src/health/jwks-health.js';
import { IamHealthCheckError, IamHealthIndicator, IamModule } from '../../../src/index.js';
import type { JwksStoreStatus } from '../../../src/jwt/jwks-key-store.js';
import { type TestJwksServer, TestSigner } from '../../../src/testing/index.js';
import { RecordingSink } from '../jwt/verifier-fixtures.js';

const fresh: JwksStoreStatus = { keys: 2, lastRefreshAgeMs: 1_000, failing: false, stale: false };

describe('jwksHealth', () => {
  it('is up with the store shown when the endpoint answers and the keys are fresh', () => {
    expect(jwksHealth({ status: 'up' }, fresh)).toEqual({ status: 'up', keyStore: fresh });
    // Failing but within maxStaleMs: requests with known keys are still served.
    const failing = { ...fresh, failing: true };
    expect(jwksHealth({ status: 'up' }, failing)).toEqual({ status: 'up', keyStore: failing });
  });

  it('is down while the store has never loaded a set, though the endpoint answers', () => {
    const cold = { keys: 0, lastRefreshAgeMs: null, failing: true, stale: false };
    expect(jwksHealth({ status: 'up' }, cold)).toEqual({
      status: 'down',
      message: 'no key set loaded yet',
      keyStore: cold,
    });
  });

  it('is down once the keys are older than maxStaleMs', () => {
    const stale = { ...fresh, lastRefreshAgeMs: 90_000_000, failing: true, stale: true };
    expect(jwksHealth({ status: 'up' }, stale)).toEqual({
      status: 'down',
      message: 'the keys are older than maxStaleMs',
      keyStore: stale,
    });
  });

  it('keeps the endpoint’s own reason when it is down', () => {
    expect(jwksHealth({ status: 'down', message: 'answered 503' }, fresh)).toEqual({
      status: 'down',
      message: 'answered 503',
      keyStore: fresh,
    });
  });

  it('is the probe alone outside a running module', () => {
    expect(jwksHealth({ status: 'up' }, undefined)).toEqual({ status: 'up' });
  });
});

describe('IamHealthIndicator in a running module', () => {
  let jwks: TestJwksServer | undefined;
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    await jwks?.close();
  });

  async function boot(available: boolean) {
    const signer = TestSigner.create({ kid: 'k1' });
    const server = await signer.serve();
    jwks = server;
    server.setAvailable(available);
    const sink = new RecordingSink();
    const firstFetch = sink.next(available ? 'jwks.refresh.success' : 'jwks.refresh.failure');
    const moduleRef = await Test.createTestingModule({
      imports: [
        IamModule.forRoot({
          tenants: {
            default: {
              transport: 'oathkeeper',
              oathkeeper: { jwks: { url: server.url }, audience: 'orders-api' },
            },
          },
          auditSink: sink,
        }),
      ],
    }).compile();
    await moduleRef.init();
    close = () => moduleRef.close();
    await firstFetch;
    return moduleRef.get(IamHealthIndicator);
  }

  it('shows the key store next to the endpoint’s answer', async () => {
    const health = await boot(true);
    const result = await health.isHealthy('iam');
    expect(result.iam?.tenants.default?.jwks).toEqual({
      status: 'up',
      keyStore: { keys: 1, lastRefreshAgeMs: expect.any(Number), failing: false, stale: false },
    });
  });

  it('shows a store that never loaded while the endpoint is down', async () => {
    const health = await boot(false);
    const error = await health.isHealthy('iam').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IamHealthCheckError);
    expect((error as IamHealthCheckError).causes.iam?.tenants.default?.jwks).toEqual({
      status: 'down',
      message: 'answered 503',
      keyStore: { keys: 0, lastRefreshAgeMs: null, failing: true, stale: false },
    });
  });
});
