import { Configuration, FrontendApi } from '@ory/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IamUpstreamUnavailableError } from '../../../src/errors/iam-errors.js';
import { callOry } from '../../../src/ory/ory-call.js';
import { FakeKratos } from '../kratos/fake-kratos.js';

const WHOAMI = 'GET /sessions/whoami';
const kratos = new FakeKratos();
beforeAll(() => kratos.start());
afterAll(() => kratos.stop());
beforeEach(() => kratos.reset());

function whoami(basePath: string, retries = 0) {
  const frontend = new FrontendApi(new Configuration({ basePath }));
  return callOry(
    'Kratos /sessions/whoami',
    { timeoutMs: 300, retries },
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
