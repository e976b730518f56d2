import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the proxy passed on. */
export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * A pass-through HTTP proxy in front of a real Ory server (Kratos, Keto) that records every request
 * (method, path, headers, body) before forwarding it, so a test knows exactly what the library sent
 * by the time the app has answered. Answers come from the server unchanged.
 */
export class RecordingProxy {
  readonly seen: RecordedRequest[] = [];
  /** Paths the proxy answers itself with this status, as a server without that endpoint would. */
  readonly refuse = new Map<string, number>();
  /**
   * Paths whose 2xx answers the proxy rewrites with this function (JSON in, JSON out) before
   * passing them on: a lying server, the one fault a real server cannot be made to show.
   */
  readonly lies = new Map<string, (answer: unknown) => unknown>();
  private server: Server | undefined;
  url = '';

  constructor(private readonly target: string) {}

  /** The recorded requests to `path`. */
  calls(path: string): RecordedRequest[] {
    return this.seen.filter((request) => request.path === path);
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const url = request.url ?? '/';
        const path = url.split('?')[0] ?? url;
        this.seen.push({ method: request.method ?? 'GET', path, headers: request.headers, body });
        const refused = this.refuse.get(path);
        if (refused !== undefined) {
          response.writeHead(refused, { 'content-type': 'application/json' });
          response.end(
            JSON.stringify({ error: { code: refused, message: 'refused by the proxy' } }),
          );
          return;
        }
        const headers = new Headers();
        for (const [name, value] of Object.entries(request.headers)) {
          if (['host', 'connection', 'content-length'].includes(name) || value === undefined)
            continue;
          headers.set(name, Array.isArray(value) ? value.join(', ') : value);
        }
        fetch(`${this.target}${url}`, {
          method: request.method,
          headers,
          body: body === '' ? undefined : body,
        })
          .then(async (upstream) => {
            const lie = this.lies.get(path);
            const answer =
              lie === undefined || !upstream.ok
                ? Buffer.from(await upstream.arrayBuffer())
                : Buffer.from(JSON.stringify(lie(await upstream.json())) ?? '');
            response.writeHead(upstream.status, {
              'content-type': upstream.headers.get('content-type') ?? 'application/json',
            });
            response.end(answer);
          })
          .catch(() => response.writeHead(502).end());
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
