import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A hand-written fault: an HTTP server that takes every request and never answers (an upstream
 * whose process hangs). It records each request and tells when its connection closes, which is
 * how a test sees that the library cancelled a call.
 */
export class HangingServer {
  readonly requests: IncomingMessage[] = [];
  private server: Server | undefined;
  private readonly arrivals: Array<() => void> = [];

  get url(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (address === undefined || address === null) throw new Error('HangingServer is not started');
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((request) => {
      this.requests.push(request);
      for (const arrived of this.arrivals.splice(0)) arrived();
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
  }

  /** Resolves once `count` requests have arrived in all. */
  async arrived(count: number): Promise<void> {
    while (this.requests.length < count) {
      await new Promise<void>((resolve) => this.arrivals.push(resolve));
    }
  }

  /** Resolves when the connection of the `index`th request closes. */
  closed(index: number): Promise<void> {
    const request = this.requests[index];
    if (request === undefined) throw new Error(`no request ${index}`);
    if (request.socket.destroyed) return Promise.resolve();
    return once(request.socket, 'close').then(() => undefined);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
