import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Configuration, FrontendApi, PermissionApi } from '@ory/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IamUpstreamUnavailableError } from '../../../src/errors/iam-errors.js';
import { describeUpstreamFailure } from '../../../src/errors/upstream-failure.js';
import { callOry, OryResponseError } from '../../../src/ory/ory-call.js';
import { FakeKratos, kratosSession } from '../kratos/fake-kratos.js';

const WHOAMI = 'GET /sessions/whoami';
const kratos = new FakeKratos();
beforeAll(() => kratos.start());
afterAll(() => kratos.stop());
beforeEach(() => kratos.reset());

function whoami(basePath: string, retries = 0) {
  const frontend = new FrontendApi(new Configuration({ basePath }));
  return callOry(
    'Kratos /sessions/whoami',
    { timeoutMs: 300, retries, deadlineMs: 10_000 },
    (options) => frontend.toSession({ xSessionToken: 'ory_st_secret' }, options),
    { idempotent: true },
  );
}

async function outageOf(call: Promise<unknown>): Promise<IamUpstreamUnavailableError> {
  const error = await call.then(
    () => new Error('expected a 503'),
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(IamUpstreamUnavailableError);
  return error as IamUpstreamUnavailableError;
}

describe('callOry and Retry-After', () => {
  it.each([429, 503])(
    'caps an upstream %i Retry-After of a day at 60 s, and does not retry before it',
    async (status) => {
      kratos.answer(WHOAMI, { status, body: {}, headers: { 'retry-after': '86400' } });
      const outage = await outageOf(whoami(kratos.url, 2));
      expect(outage.retryAfterSeconds).toBe(60);
      expect(kratos.requestsTo(WHOAMI)).toHaveLength(1);
    },
  );

  it('honours a 503 HTTP-date Retry-After in the past by retrying at once, and answers 1 s', async () => {
    kratos.answer(WHOAMI, {
      status: 503,
      body: {},
      headers: { 'retry-after': 'Sun, 06 Nov 1994 08:49:37 GMT' },
    });
    const outage = await outageOf(whoami(kratos.url, 1));
    expect(outage.retryAfterSeconds).toBe(1);
    expect(kratos.requestsTo(WHOAMI)).toHaveLength(2);
  });

  it('answers the default 5 s for an invalid Retry-After', async () => {
    kratos.answer(WHOAMI, { status: 503, body: {}, headers: { 'retry-after': 'soon' } });
    expect((await outageOf(whoami(kratos.url))).retryAfterSeconds).toBe(5);
  });
});

describe('callOry failure reasons', () => {
  it('names the refused address and the attempts', async () => {
    const outage = await outageOf(whoami('http://127.0.0.1:1', 1));
    expect(outage.reason).toBe('Kratos /sessions/whoami: ECONNREFUSED 127.0.0.1:1 (2 attempts)');
    expect(outage.message).not.toContain('127.0.0.1');
  });

  it('names the status and the URL, without its query string or user-info', async () => {
    const keto = new PermissionApi(
      new Configuration({ basePath: kratos.url.replace('//', '//operator:hunter2@') }),
    );
    const check = (timeoutMs: number) =>
      callOry(
        'Keto check',
        { timeoutMs, retries: 0, deadlineMs: 10_000 },
        (options) =>
          keto.checkPermission(
            { namespace: 'docs', object: 'doc-1', relation: 'view', subjectId: 'alice' },
            options,
          ),
        { idempotent: true },
      );
    kratos.answer('GET /relation-tuples/check/openapi', { status: 502, body: {} });
    const outage = await outageOf(check(300));
    expect(outage.reason).toBe(
      `Keto check: HTTP 502 from ${kratos.url}/relation-tuples/check/openapi`,
    );

    kratos.answer('GET /relation-tuples/check/openapi', { status: 418, body: {} });
    const refused = await check(300).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OryResponseError);
    expect((refused as OryResponseError).reason).toBe(
      `HTTP 418 from ${kratos.url}/relation-tuples/check/openapi`,
    );

    kratos.answer('GET /relation-tuples/check/openapi', 'hang');
    expect((await outageOf(check(100))).reason).toBe(
      `Keto check: no answer in time from ${kratos.url}/relation-tuples/check/openapi`,
    );
  });

  it('describes a fetch failure by its cause, not as TypeError', async () => {
    // fetch() refuses port 1 itself ("bad port"); a port just freed refuses the connection.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const failure = await fetch(`http://127.0.0.1:${port}/.well-known/jwks.json`).catch(
      (error: unknown) => error,
    );
    expect(describeUpstreamFailure(failure)).toBe(`ECONNREFUSED 127.0.0.1:${port}`);
  });

  it('succeeds when Kratos answers', async () => {
    kratos.answer(WHOAMI, { status: 200, body: kratosSession() });
    expect((await whoami(kratos.url)).status).toBe(200);
  });
});
