/**
 * The example's telemetry bootstrap (examples/zero-trust/telemetry/start-telemetry.ts): a metrics
 * port it cannot bind stops the app at boot instead of leaving it running without metrics.
 */
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTelemetry } from '../../../examples/zero-trust/telemetry/start-telemetry.js';

describe('the example startTelemetry', () => {
  let holder: Server | undefined;
  const environment = { ...process.env };

  afterEach(async () => {
    process.env = { ...environment };
    await new Promise((resolve) => holder?.close(resolve) ?? resolve(undefined));
  });

  it('rejects, naming the address, when the metrics port is taken', async () => {
    holder = createServer();
    const server = holder;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    process.env.OTEL_METRICS_PORT = String(address.port);
    process.env.HOST = '127.0.0.1';

    await expect(startTelemetry('taken-port')).rejects.toThrow(
      `the Prometheus exporter cannot listen on 127.0.0.1:${String(address.port)}`,
    );
  });
});
