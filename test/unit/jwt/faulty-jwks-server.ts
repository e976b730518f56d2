import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A hand-written JWKS endpoint for the faults real Oathkeeper cannot produce: a body larger than
 * any key set, a body that never ends, a lying Content-Length, a redirect. Each test sets how it
 * answers; `bytesWritten` and `aborted` tell what the client made of it.
 */
export interface FaultyJwksServer {
  readonly url: string;
  /** How every later request is answered. */
  answerWith(handler: (response: ServerResponse) => void): void;
  /** Body bytes written to clients so far. */
  readonly bytesWritten: number;
  /** Resolves when a client closes its connection before the answer ended. */
  nextAbort(): Promise<void>;
  close(): Promise<void>;
}

export async function startFaultyJwksServer(): Promise<FaultyJwksServer> {
  let handler: (response: ServerResponse) => void = (response) => response.writeHead(404).end();
  let bytesWritten = 0;
  const abortWaiters: (() => void)[] = [];
  const server = createServer((_request: IncomingMessage, response: ServerResponse) => {
    const write = response.write.bind(response);
    response.write = ((chunk: Buffer | string, ...rest: never[]) => {
      bytesWritten += Buffer.byteLength(chunk);
      return write(chunk, ...rest);
    }) as typeof response.write;
    response.on('close', () => {
      if (!response.writableFinished) for (const resolve of abortWaiters.splice(0)) resolve();
    });
    handler(response);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    answerWith: (next) => {
      handler = next;
    },
    get bytesWritten() {
      return bytesWritten;
    },
    nextAbort: () => new Promise<void>((resolve) => abortWaiters.push(resolve)),
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/**
 * Streams `{"keys":[` followed by padding forever, in 64 KiB chunks, honouring backpressure: a
 * client that does not stop reading would never finish.
 */
export function endlessBody(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.write('{"keys":[');
  const chunk = Buffer.alloc(64 * 1_024, ' ');
  const pump = (): void => {
    while (!response.destroyed && response.write(chunk)) {
      // keep writing until the socket buffer is full
    }
    if (!response.destroyed) response.once('drain', pump);
  };
  pump();
}
