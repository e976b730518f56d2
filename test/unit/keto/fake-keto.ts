import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A tuple as Keto's API spells it. */
export interface WireTuple {
  namespace: string;
  object: string;
  relation: string;
  subject_id?: string;
  subject_set?: { namespace: string; object: string; relation: string };
}

export interface FakeKetoCall {
  readonly path: string;
  /** Batch calls: the tuples sent; single checks: the one tuple from the query. */
  readonly tuples: WireTuple[];
}

/**
 * A loopback stand-in for Keto's read API, so the real `@ory/client` and `callOry` path runs.
 * Answers checks with `allowed(tuple)`; `batchStatus` makes the batch endpoint answer an error
 * status instead; `errors(tuple)` makes a batch result carry an error.
 */
export class FakeKeto {
  readonly calls: FakeKetoCall[] = [];
  allowed: (tuple: WireTuple) => boolean = () => false;
  errors: (tuple: WireTuple) => string | undefined = () => undefined;
  batchStatus: number | undefined;
  checkStatus: number | undefined;
  /** Status of writes (`PUT`/`DELETE /admin/relation-tuples`); default 201/204. */
  writeStatus: number | undefined;
  /** Never answer any request (a Keto that hangs). */
  hang = false;
  /**
   * When set, the check and list endpoints answer 200 with this body instead: a lying Keto,
   * the one fault a real Keto cannot be made to show.
   */
  lie: ((tuples: WireTuple[]) => unknown) | undefined;
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://keto.test');
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (this.hang) return;
        const answer = (status: number, body: unknown) =>
          response
            .writeHead(status, { 'content-type': 'application/json' })
            .end(JSON.stringify(body));
        if (url.pathname === '/relation-tuples/batch/check') {
          const { tuples } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            tuples: WireTuple[];
          };
          this.calls.push({ path: url.pathname, tuples });
          if (this.lie !== undefined) {
            answer(200, this.lie(tuples));
            return;
          }
          if (this.batchStatus !== undefined) {
            answer(this.batchStatus, { error: { code: this.batchStatus, message: 'fake' } });
            return;
          }
          answer(200, {
            results: tuples.map((tuple) => {
              const error = this.errors(tuple);
              return error === undefined
                ? { allowed: this.allowed(tuple) }
                : { allowed: false, error };
            }),
          });
          return;
        }
        if (url.pathname === '/relation-tuples/check/openapi') {
          const query = url.searchParams;
          const tuple: WireTuple = {
            namespace: query.get('namespace') ?? '',
            object: query.get('object') ?? '',
            relation: query.get('relation') ?? '',
            ...(query.has('subject_id')
              ? { subject_id: query.get('subject_id') ?? '' }
              : {
                  subject_set: {
                    namespace: query.get('subject_set.namespace') ?? '',
                    object: query.get('subject_set.object') ?? '',
                    relation: query.get('subject_set.relation') ?? '',
                  },
                }),
          };
          this.calls.push({ path: url.pathname, tuples: [tuple] });
          if (this.lie !== undefined) {
            answer(200, this.lie([tuple]));
            return;
          }
          if (this.checkStatus !== undefined) {
            answer(this.checkStatus, { error: { code: this.checkStatus, message: 'fake' } });
            return;
          }
          answer(200, { allowed: this.allowed(tuple) });
          return;
        }
        if (url.pathname === '/admin/relation-tuples') {
          this.calls.push({ path: `${request.method} ${url.pathname}`, tuples: [] });
          const status = this.writeStatus ?? (request.method === 'PUT' ? 201 : 204);
          answer(status, status < 300 ? {} : { error: { code: status, message: 'fake' } });
          return;
        }
        if (url.pathname === '/relation-tuples') {
          this.calls.push({ path: url.pathname, tuples: [] });
          answer(200, this.lie?.([]) ?? { relation_tuples: [], next_page_token: '' });
          return;
        }
        answer(404, { error: { code: 404, message: 'no such path' } });
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
