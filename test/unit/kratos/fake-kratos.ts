import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the fake answers: a status and a JSON body (sent once `after` settles, when given), or
 * `'hang'` to never answer.
 */
export type FakeAnswer =
  | {
      readonly status: number;
      readonly body?: unknown;
      readonly headers?: Record<string, string>;
      readonly after?: Promise<unknown>;
    }
  | 'hang';

/** An answer the test releases, and the moment its request arrived. */
export interface HeldAnswer {
  /** Resolves when the request has reached the fake. */
  readonly arrived: Promise<void>;
  /** Sends the answer. */
  release(): void;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
}

/**
 * A loopback HTTP server standing in for Kratos in unit tests, so the real `@ory/client` and
 * `callOry` path runs. Every request is recorded; answers are set per `METHOD path` (query
 * ignored), defaulting to 404.
 */
export class FakeKratos {
  readonly requests: RecordedRequest[] = [];
  private readonly answers = new Map<string, FakeAnswer>();
  private readonly arrivals = new Map<string, () => void>();
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://kratos.test');
      const path = url.pathname;
      const method = request.method ?? 'GET';
      this.requests.push({ method, path, query: url.searchParams, headers: request.headers });
      const route = `${method} ${path}`;
      this.arrivals.get(route)?.();
      this.arrivals.delete(route);
      const answer = this.answers.get(route) ?? { status: 404, body: { error: {} } };
      if (answer === 'hang') return;
      const body = answer.body === undefined ? '' : JSON.stringify(answer.body);
      void (answer.after ?? Promise.resolve()).then(() =>
        response
          .writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
          .end(body),
      );
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  answer(route: string, answer: FakeAnswer): this {
    this.answers.set(route, answer);
    return this;
  }

  /** Answers the next requests to `route` only when the test calls `release()`. */
  hold(route: string, answer: { readonly status: number; readonly body?: unknown }): HeldAnswer {
    let release = () => {};
    const after = new Promise<void>((resolve) => {
      release = resolve;
    });
    const arrived = new Promise<void>((resolve) => this.arrivals.set(route, resolve));
    this.answer(route, { ...answer, after });
    return { arrived, release };
  }

  reset(): void {
    this.answers.clear();
    this.arrivals.clear();
    this.requests.length = 0;
  }

  requestsTo(route: string): RecordedRequest[] {
    return this.requests.filter((request) => `${request.method} ${request.path}` === route);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

/** A Kratos `/sessions/whoami` body; `identity` overrides merge into the default identity, `null` removes it. */
export function kratosSession(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const { identity, ...session } = overrides;
  if (identity === null) return { ...kratosSession(session), identity: null };
  return {
    id: 'a6f5e1f2-0000-4000-8000-000000000001',
    active: true,
    expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    authenticated_at: new Date(Date.now() - 60_000).toISOString(),
    issued_at: new Date(Date.now() - 60_000).toISOString(),
    authenticator_assurance_level: 'aal1',
    identity: {
      id: 'b7a6f2e3-0000-4000-8000-000000000002',
      schema_id: 'default',
      schema_url: 'http://kratos/schemas/default',
      state: 'active',
      traits: { email: 'alice@example.test', roles: ['trait-admin'] },
      metadata_public: { roles: ['editor'] },
      ...(typeof identity === 'object' && identity !== null ? identity : {}),
    },
    ...session,
  };
}
