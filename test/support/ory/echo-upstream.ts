import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the upstream saw it. */
export interface UpstreamHit {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/** A loopback HTTP app standing in behind Oathkeeper: records every request, answers 200. */
export interface EchoUpstream {
  readonly url: string;
  readonly hits: UpstreamHit[];
  close(): Promise<void>;
}

export async function startEchoUpstream(): Promise<EchoUpstream> {
  const hits: UpstreamHit[] = [];
  const server: Server = createServer((request, response) => {
    hits.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify({ reached: request.url }));
  });
  return listenOnLoopback(server, hits);
}

/** Starts `server` on a free loopback port; its handle's `close` also ends open connections. */
export async function listenOnLoopback(server: Server, hits: UpstreamHit[]): Promise<EchoUpstream> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
