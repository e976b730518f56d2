import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { validateIamOptions } from '../../../src/config/validate-options.js';
import {
  IamUpstreamUnavailableError,
  type KetoConfig,
  type PermissionTuple,
} from '../../../src/index.js';
import { KetoPermissionChecker } from '../../../src/ory/keto/keto-permission-checker.js';
import type { TenantPermissions } from '../../../src/ory/keto/tenant-permissions.js';
import { OryClients } from '../../../src/ory/ory-clients.js';
import { PermissionService } from '../../../src/services/permission.service.js';
import { FakeKeto, type WireTuple } from './fake-keto.js';

const BATCH = '/relation-tuples/batch/check';
const SINGLE = '/relation-tuples/check/openapi';

const view = (object: string, subject: PermissionTuple['subject'] = 'alice'): PermissionTuple => ({
  namespace: 'docs',
  object,
  relation: 'view',
  subject,
});

describe('KetoPermissionChecker', () => {
  const keto = new FakeKeto();
  beforeAll(() => keto.start());
  afterAll(() => keto.stop());
  afterEach(() => {
    keto.calls.length = 0;
    keto.allowed = () => false;
    keto.errors = () => undefined;
    keto.batchStatus = undefined;
    keto.checkStatus = undefined;
    keto.writeStatus = undefined;
    keto.hang = false;
    vi.useRealTimers();
  });

  function clients(extra: Omit<KetoConfig, 'readUrl'> = {}, retries = 0): OryClients {
    const options = validateIamOptions({
      tenants: {
        default: {
          transport: 'oathkeeper',
          oathkeeper: { jwks: { url: 'http://127.0.0.1:1/jwks.json' }, audience: 'api' },
          keto: { readUrl: keto.url, writeUrl: keto.url, ...extra },
          // Room for a loaded CI machine: the hang test waits this long once; the others never do.
          http: { timeoutMs: 1_000, retries },
        },
      },
    });
    return new OryClients(options);
  }
  function checker(extra: Omit<KetoConfig, 'readUrl'> = {}): KetoPermissionChecker {
    return new KetoPermissionChecker(clients(extra));
  }
  function service(retries: number): TenantPermissions {
    const ory = clients({}, retries);
    return new PermissionService(ory, new KetoPermissionChecker(ory)).forTenant('default');
  }
  const sizes = (path: string) =>
    keto.calls.filter((call) => call.path === path).map((call) => call.tuples.length);
  const allowEven = (tuple: WireTuple) => Number(tuple.object.split('-')[1]) % 2 === 0;

  it('sends 25 checks as batches of 10, 10 and 5 and answers in input order', async () => {
    keto.allowed = allowEven;
    const tuples = Array.from({ length: 25 }, (_, index) => view(`doc-${index}`));
    const answers = await checker().checkMany('default', tuples);
    expect(answers).toEqual(tuples.map((_, index) => index % 2 === 0));
    expect(sizes(BATCH)).toEqual([10, 10, 5]);
    expect(sizes(SINGLE)).toEqual([]);
  });

  it('chunks to keto.maxBatchCheckSize', async () => {
    await checker({ maxBatchCheckSize: 4 }).checkMany(
      'default',
      Array.from({ length: 9 }, (_, index) => view(`doc-${index}`)),
    );
    expect(sizes(BATCH)).toEqual([4, 4, 1]);
  });

  it('asks a single check on the plain check endpoint, and a repeated tuple once', async () => {
    keto.allowed = () => true;
    expect(await checker().checkMany('default', [view('doc-1')])).toEqual([true]);
    expect(await checker().checkMany('default', [view('doc-1'), view('doc-1')])).toEqual([
      true,
      true,
    ]);
    expect(sizes(SINGLE)).toEqual([1, 1]);
    expect(sizes(BATCH)).toEqual([]);
  });

  it('sends subject sets as subject sets', async () => {
    const members = { namespace: 'groups', object: 'admins', relation: 'member' };
    await checker().checkMany('default', [view('doc-1', members), view('doc-2')]);
    expect(keto.calls[0]?.tuples).toEqual([
      { namespace: 'docs', object: 'doc-1', relation: 'view', subject_set: members },
      { namespace: 'docs', object: 'doc-2', relation: 'view', subject_id: 'alice' },
    ]);
  });

  it('denies a tuple Keto reports an error for, even if it says allowed', async () => {
    keto.allowed = () => true;
    keto.errors = (tuple) => (tuple.object === 'doc-1' ? 'unknown namespace' : undefined);
    expect(await checker().checkMany('default', [view('doc-0'), view('doc-1')])).toEqual([
      true,
      false,
    ]);
  });

  it('falls back to single checks for good when Keto has no batch endpoint (404)', async () => {
    keto.allowed = allowEven;
    keto.batchStatus = 404;
    const subject = checker();
    const tuples = [view('doc-0'), view('doc-1'), view('doc-2')];
    expect(await subject.checkMany('default', tuples)).toEqual([true, false, true]);
    expect(await subject.checkMany('default', tuples)).toEqual([true, false, true]);
    expect(sizes(BATCH)).toEqual([3]);
    expect(sizes(SINGLE)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('checks a chunk Keto refuses as too large (400) one by one, and tries batches again next time', async () => {
    keto.allowed = allowEven;
    keto.batchStatus = 400;
    const subject = checker({ maxBatchCheckSize: 20 });
    const tuples = [view('doc-0'), view('doc-1')];
    expect(await subject.checkMany('default', tuples)).toEqual([true, false]);
    keto.batchStatus = undefined;
    expect(await subject.checkMany('default', tuples)).toEqual([true, false]);
    expect(sizes(BATCH)).toEqual([2, 2]);
    expect(sizes(SINGLE)).toEqual([1, 1]);
  });

  it.each([500, 503, 429, 401, 403])(
    'rejects with a 503, never an answer, when Keto answers %i',
    async (status) => {
      keto.allowed = () => true;
      keto.batchStatus = status;
      keto.checkStatus = status;
      await expect(
        checker().checkMany('default', [view('doc-0'), view('doc-1')]),
      ).rejects.toBeInstanceOf(IamUpstreamUnavailableError);
      await expect(checker().checkMany('default', [view('doc-0')])).rejects.toBeInstanceOf(
        IamUpstreamUnavailableError,
      );
    },
  );

  it('asks Keto every time without a decision cache (the default)', async () => {
    const subject = checker();
    await subject.checkMany('default', [view('doc-0')]);
    await subject.checkMany('default', [view('doc-0')]);
    expect(sizes(SINGLE)).toEqual([1, 1]);
  });

  it('with the decision cache, reuses answers for the TTL and forgets them on invalidate', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    keto.allowed = allowEven;
    const subject = checker({ decisionCache: { enabled: true, ttlMs: 1_000 } });
    const tuples = [view('doc-0'), view('doc-1')];
    expect(await subject.checkMany('default', tuples)).toEqual([true, false]);
    expect(await subject.checkMany('default', tuples)).toEqual([true, false]);
    expect(keto.calls).toHaveLength(1);

    // Only the tuples not cached are asked.
    await subject.checkMany('default', [...tuples, view('doc-2')]);
    expect(sizes(SINGLE)).toEqual([1]);

    keto.allowed = () => false;
    vi.advanceTimersByTime(1_001);
    expect(await subject.checkMany('default', tuples)).toEqual([false, false]);

    keto.allowed = () => true;
    subject.invalidate('default');
    expect(await subject.checkMany('default', tuples)).toEqual([true, true]);
    expect(keto.calls).toHaveLength(4);
  });

  it('does not cache an answer Keto reported an error for', async () => {
    keto.errors = (tuple) => (tuple.object === 'doc-1' ? 'boom' : undefined);
    const subject = checker({ decisionCache: { enabled: true } });
    await subject.checkMany('default', [view('doc-0'), view('doc-1')]);
    keto.errors = () => undefined;
    keto.allowed = () => true;
    expect(await subject.checkMany('default', [view('doc-0'), view('doc-1')])).toEqual([
      false,
      true,
    ]);
    expect(sizes(SINGLE)).toEqual([1]);
  });

  it('rejects with a 503 when Keto does not answer within the timeout', async () => {
    keto.hang = true;
    await expect(
      checker().checkMany('default', [view('doc-0'), view('doc-1')]),
    ).rejects.toBeInstanceOf(IamUpstreamUnavailableError);
  });

  it('retries reads but never a write: a timed-out or failed write may have happened', async () => {
    keto.writeStatus = 500;
    keto.checkStatus = 500;
    const permissions = service(2);
    await expect(permissions.revoke(view('doc-0'))).rejects.toBeInstanceOf(
      IamUpstreamUnavailableError,
    );
    expect(keto.calls.map((call) => call.path)).toEqual(['DELETE /admin/relation-tuples']);
    keto.calls.length = 0;
    await expect(permissions.check(view('doc-0'))).rejects.toBeInstanceOf(
      IamUpstreamUnavailableError,
    );
    expect(sizes(SINGLE)).toEqual([1, 1, 1]);
  });
});
