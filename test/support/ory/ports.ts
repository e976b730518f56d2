import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/*
 * Ports are picked here and bound later, by a server that may take seconds to start. A port from
 * the kernel's ephemeral range (bind to port 0) can meanwhile become the local port of any
 * outgoing connection, and the server then fails to bind it: CI saw an exporter's port refuse
 * connections that way. So ports come from below that range, where the kernel never picks one,
 * and each vitest worker (the projects run side by side) takes its own slice of it.
 */
const lowestPort = 20_000;
const workerSlots = 16;

/**
 * Where the kernel's ephemeral range starts, as Linux tells; elsewhere 32768, below the range of
 * macOS and Windows (49152 up). On a machine whose range reaches below 20000 no port is out of its
 * reach, and the slices below are then only checked free when picked.
 */
export function ephemeralRangeStart(): number {
  try {
    const [start] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/);
    const port = Number(start);
    return Number.isInteger(port) && port > lowestPort ? port : 32_768;
  } catch {
    return 32_768;
  }
}

function workerSlice(): { readonly start: number; readonly size: number } {
  const size = Math.floor((ephemeralRangeStart() - lowestPort) / workerSlots);
  const worker = Number(process.env.VITEST_POOL_ID ?? '0') % workerSlots;
  return { start: lowestPort + worker * size, size };
}

const slice = workerSlice();
/** Where this process's next pick starts: a random point first, so runs side by side differ. */
let cursor = Math.floor(Math.random() * slice.size);

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * Distinct loopback ports that nothing listens on now. This process never hands out the same
 * port twice until it has gone once round its slice.
 */
export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let tried = 0; ports.length < count; tried += 1) {
    if (tried === slice.size) throw new Error(`no free port in ${String(slice.start)}+`);
    const port = slice.start + (cursor % slice.size);
    cursor += 1;
    if (await canListen(port)) ports.push(port);
  }
  return ports;
}
