import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ephemeralRangeStart, freePorts } from '../../support/ory/ports.js';

const listen = (port: number) =>
  new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });

describe('freePorts (test support)', () => {
  it('picks ports below the ephemeral range, where no outgoing connection can take one', async () => {
    const ports = await freePorts(20);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(20_000);
      expect(port).toBeLessThan(ephemeralRangeStart());
    }
  });

  it('never hands out a port twice, and each one can be listened on', async () => {
    const ports = [...(await freePorts(10)), ...(await freePorts(10))];
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) await listen(port);
  });
});
