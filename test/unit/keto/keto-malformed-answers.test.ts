import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { validateIamOptions } from '../../../src/config/validate-options.js';
import { IamUpstreamUnavailableError, type PermissionTuple } from '../../../src/index.js';
import { KetoPermissionChecker } from '../../../src/ory/keto/keto-permission-checker.js';
import { OryClients } from '../../../src/ory/ory-clients.js';
import { PermissionService } from '../../../src/services/permission.service.js';
import { FakeKeto, type WireTuple } from './fake-keto.js';

const view = (object: string): PermissionTuple => ({
  namespace: 'docs',
  object,
  relation: 'view',
  subject: 'alice',
});

/** The checker's rejection, which must be a 503 whose reason names the malformed answer. */
async function outageOf(answer: Promise<unknown>): Promise<IamUpstreamUnavailableError> {
  const error = await answer.then(
    (value) => new Error(`expected a 503, got ${JSON.stringify(value)}`),
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(IamUpstreamUnavailableError);
  return error as IamUpstreamUnavailableError;
}

describe('Keto reads with a lying Keto (200 with a body that is not an answer)', () => {
  const keto = new FakeKeto();
  beforeAll(() => keto.start());
  afterAll(() => keto.stop());
  afterEach(() => {
    keto.lie = undefined;
    keto.allowed = () => false;
    keto.calls.length = 0;
  });

  const clients = (decisionCache = false) =>
    new OryClients(
      validateIamOptions({
        tenants: {
          default: {
            transport: 'oathkeeper',
            oathkeeper: { jwks: { url: 'http://127.0.0.1:1/jwks.json' }, audience: 'api' },
            keto: { readUrl: keto.url, decisionCache: { enabled: decisionCache } },
            http: { timeoutMs: 500, retries: 0 },
          },
        },
      }),
    );
  const checker = (decisionCache = false) => new KetoPermissionChecker(clients(decisionCache));

  it.each([
    ['an empty object', {}],
    ['allowed as a string', { allowed: 'true' }],
    ['allowed as null', { allowed: null }],
    ['an array', [{ allowed: true }]],
    ['a string', 'allowed'],
  ])('a single check answered with %s is a 503, not a deny', async (_case, body) => {
    keto.lie = () => body;
    const outage = await outageOf(checker().checkMany('default', [view('doc-0')]));
    expect(outage.code).toBe('auth.upstream_unavailable');
    expect(outage.reason).toMatch(/^malformed answer from Keto \(Keto check\): /);
  });

  const two = [view('doc-0'), view('doc-1')];
  it.each([
    ['an empty object', () => ({})],
    ['results not an array', () => ({ results: { allowed: true } })],
    ['too few results', () => ({ results: [{ allowed: true }] })],
    ['too many results', () => ({ results: [{ allowed: true }, { allowed: true }, {}] })],
    ['a result without allowed', () => ({ results: [{ allowed: true }, {}] })],
    [
      'a result with allowed as a string',
      () => ({ results: [{ allowed: 'no' }, { allowed: true }] }),
    ],
    ['a result that is not an object', () => ({ results: [true, true] })],
    ['an error that is not a string', () => ({ results: [{ allowed: true }, { error: 42 }] })],
  ])('a batch answered with %s is a 503, not a deny', async (_case, lie) => {
    keto.lie = lie;
    const outage = await outageOf(checker().checkMany('default', two));
    expect(outage.reason).toMatch(/^malformed answer from Keto \(Keto batch check\): /);
  });

  it('keeps nothing of a malformed answer in the decision cache', async () => {
    const subject = checker(true);
    keto.lie = () => ({});
    await outageOf(subject.checkMany('default', [view('doc-0')]));
    keto.lie = (tuples: WireTuple[]) => ({
      results: tuples.slice(1).map(() => ({ allowed: false })),
    });
    await outageOf(subject.checkMany('default', two));

    keto.lie = undefined;
    keto.allowed = () => true;
    expect(await subject.checkMany('default', two)).toEqual([true, true]);
    expect(keto.calls.map((call) => call.tuples.length)).toEqual([1, 2, 2]);
  });

  it.each([
    ['an empty object', {}],
    ['relation_tuples not an array', { relation_tuples: { namespace: 'docs' } }],
    [
      'a tuple without a subject',
      { relation_tuples: [{ namespace: 'docs', object: 'd', relation: 'view' }] },
    ],
    [
      'a tuple with a numeric subject',
      { relation_tuples: [{ namespace: 'docs', object: 'd', relation: 'view', subject_id: 7 }] },
    ],
    ['a numeric next_page_token', { relation_tuples: [], next_page_token: 2 }],
  ])('PermissionService.list answered with %s is a 503, not a short page', async (_case, body) => {
    keto.lie = () => body;
    const ory = clients();
    const permissions = new PermissionService(ory, new KetoPermissionChecker(ory)).forTenant(
      'default',
    );
    const outage = await outageOf(permissions.list({ namespace: 'docs' }));
    expect(outage.reason).toMatch(/^malformed answer from Keto \(Keto list\): /);
  });

  it('lists the tuples of a well-formed page', async () => {
    keto.lie = () => ({
      relation_tuples: [
        { namespace: 'docs', object: 'd', relation: 'view', subject_id: 'alice' },
        {
          namespace: 'docs',
          object: 'd',
          relation: 'view',
          subject_set: { namespace: 'groups', object: 'g', relation: 'member' },
        },
      ],
      next_page_token: 'next',
    });
    const ory = clients();
    const permissions = new PermissionService(ory, new KetoPermissionChecker(ory)).forTenant(
      'default',
    );
    expect(await permissions.list()).toEqual({
      tuples: [
        { namespace: 'docs', object: 'd', relation: 'view', subject: 'alice' },
        {
          namespace: 'docs',
          object: 'd',
          relation: 'view',
          subject: { namespace: 'groups', object: 'g', relation: 'member' },
        },
      ],
      nextPageToken: 'next',
    });
  });

  it('still takes a result carrying an error as a deny, as Keto documents it', async () => {
    keto.lie = () => ({
      results: [{ allowed: true }, { allowed: false, error: 'unknown namespace' }],
    });
    expect(await checker().checkMany('default', two)).toEqual([true, false]);
  });
});
