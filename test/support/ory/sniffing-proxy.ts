import { createServer, request as httpRequest, type Server } from 'node:http';
import { listenOnLoopback, type UpstreamHit } from './echo-upstream.js';

/**
 * A loopback HTTP proxy in front of one app that records every request it forwards (method, path,
 * headers), so a test can see the token a gateway minted for that app: the "sniffer on the link"
 * of the walkthrough, for an upstream that must still answer for real. It streams both ways and
 * passes the app's answer through whole; test/support/recording-proxy.ts, for the Ory APIs, buffers
 * bodies so it can refuse paths and rewrite answers.
 */
export interface SniffingProxy {
  readonly url: string;
  readonly hits: UpstreamHit[];
  close(): Promise<void>;
}

export async function startSniffingProxy(target: string): Promise<SniffingProxy> {
  const hits: UpstreamHit[] = [];
  const upstream = new URL(target);
  const server: Server = createServer((incoming, outgoing) => {
    hits.push({
      method: incoming.method ?? '',
      url: incoming.url ?? '',
      headers: incoming.headers,
    });
    const forwarded = httpRequest(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, host: upstream.host },
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', () => {
      if (!outgoing.headersSent) outgoing.writeHead(502);
      outgoing.end();
    });
    incoming.pipe(forwarded);
  });
  return listenOnLoopback(server, hits);
}
