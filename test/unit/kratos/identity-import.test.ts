import type { CreateIdentityBody } from '@ory/client';
import { describe, expect, it } from 'vitest';
import { IamUpstreamUnavailableError } from '../../../src/errors/iam-errors.js';
import { type ImportCalls, runImport } from '../../../src/ory/kratos/identity-import.js';
import { type ImportItem, importChunks } from '../../../src/ory/kratos/identity-import-chunks.js';
import type { IamIdentityCreate } from '../../../src/ory/kratos/identity-types.js';
import { OryResponseError } from '../../../src/ory/ory-call.js';

const emailOf = (body: CreateIdentityBody) => (body.traits as { email: string }).email;
const inputs = (count: number, extra: Partial<IamIdentityCreate> = {}): IamIdentityCreate[] =>
  Array.from({ length: count }, (_, i) => ({
    traits: { email: `user${i}@example.test` },
    ...extra,
  }));

/**
 * An in-memory Kratos for the import calls: identities by email, `bad` emails rejected per item,
 * and (like Kratos v1.3.1) a chunk with a conflict rolled back while the others are reported
 * created.
 */
class FakeImportKratos implements ImportCalls {
  readonly created = new Map<string, string>();
  readonly batches: number[] = [];
  readonly singles: string[] = [];
  failBatchWith: unknown;
  failSingleFor = new Map<string, unknown>();
  rollbackOnConflict = true;

  async batch(items: readonly ImportItem[]): Promise<unknown> {
    this.batches.push(items.length);
    if (this.failBatchWith !== undefined) throw this.failBatchWith;
    const staged = new Map<string, string>();
    const answers = items.map((item, n) => {
      const email = emailOf(item.body);
      if (email.startsWith('bad')) {
        return {
          action: 'error',
          patch_id: item.patchId,
          error: { code: 400, reason: 'bad email' },
        };
      }
      if (this.created.has(email) || staged.has(email)) {
        return { action: 'error', patch_id: item.patchId, error: { code: 409, message: 'exists' } };
      }
      const id = `id-${email}-${this.batches.length}-${n}`;
      staged.set(email, id);
      return { action: 'create', identity: id, patch_id: item.patchId };
    });
    const conflict = answers.some((answer) => answer.error?.code === 409);
    if (!(conflict && this.rollbackOnConflict)) {
      for (const [email, id] of staged) this.created.set(email, id);
    }
    return { identities: answers.reverse() }; // order must not matter: patch ids name items
  }

  async createOne(body: CreateIdentityBody): Promise<unknown> {
    const email = emailOf(body);
    this.singles.push(email);
    const failure = this.failSingleFor.get(email);
    if (failure !== undefined) throw failure;
    if (this.created.has(email)) throw new OryResponseError('create', 409, {});
    const id = `id-${email}-single`;
    this.created.set(email, id);
    return { id };
  }

  async existing(ids: readonly string[]): Promise<ReadonlySet<string>> {
    const all = new Set(this.created.values());
    return new Set(ids.filter((id) => all.has(id)));
  }
}

describe('identity import', () => {
  it('chunks by size, and by at most 200 plain-text passwords per call', () => {
    const item = (index: number, password?: string): ImportItem => ({
      index,
      patchId: String(index),
      body: {
        schema_id: '',
        traits: {},
        credentials: password === undefined ? undefined : { password: { config: { password } } },
      },
    });
    const plain = Array.from({ length: 1_200 }, (_, i) => item(i));
    expect(importChunks(plain, 500).map((chunk) => chunk.length)).toEqual([500, 500, 200]);
    const withPasswords = Array.from({ length: 450 }, (_, i) => item(i, 'secret'));
    expect(importChunks(withPasswords, 500).map((chunk) => chunk.length)).toEqual([200, 200, 50]);
    expect(
      importChunks(withPasswords, 500)
        .flat()
        .map((i) => i.index),
    ).toEqual(withPasswords.map((i) => i.index));
  });

  it('reports every item in input order: created with an id, or failed with a reason', async () => {
    const kratos = new FakeImportKratos();
    const items = inputs(1_200);
    items[3] = { traits: { email: 'bad3' } };
    items[777] = { traits: { email: 'bad777' } };
    items[5] = { traits: {}, credentials: { password: {} } };

    const result = await runImport(items, 500, kratos);

    expect(kratos.batches).toEqual([500, 500, 199]); // item 5 never left the process
    expect(result).toMatchObject({ created: 1_197, failed: 3 });
    expect(result.items.map((item) => item.index)).toEqual(items.map((_, i) => i));
    expect(result.items[3]).toEqual({
      index: 3,
      status: 'failed',
      code: 'identity.invalid',
      reason: 'bad email',
    });
    expect(result.items[5]).toMatchObject({ status: 'failed', code: 'identity.invalid' });
    expect(result.items[777]).toMatchObject({ status: 'failed', code: 'identity.invalid' });
    expect(result.items[0]).toEqual({
      index: 0,
      status: 'created',
      id: kratos.created.get('user0@example.test'),
    });
  });

  it('re-sends the items of a chunk Kratos rolled back because of a conflict', async () => {
    const kratos = new FakeImportKratos();
    kratos.created.set('user1@example.test', 'already-there');
    const items = inputs(4);
    items.push({ traits: { email: 'user2@example.test' } }); // repeats item 2

    const result = await runImport(items, 500, kratos);

    expect(kratos.batches).toEqual([5, 3]);
    expect(result.items.map((item) => item.status)).toEqual([
      'created',
      'failed',
      'created',
      'created',
      'failed',
    ]);
    expect(result.items[1]).toMatchObject({ code: 'identity.conflict' });
    expect(result.items[4]).toMatchObject({ code: 'identity.conflict' });
    for (const item of result.items) {
      if (item.status === 'created') expect([...kratos.created.values()]).toContain(item.id);
    }
  });

  it('sends a chunk Kratos rejects as a whole again item by item', async () => {
    const kratos = new FakeImportKratos();
    kratos.failBatchWith = new OryResponseError('import', 400, {
      error: { reason: 'The imported password does not match any known hash format.' },
    });
    kratos.failSingleFor.set(
      'user1@example.test',
      new OryResponseError('create', 400, { error: { reason: 'unknown hash format' } }),
    );

    const result = await runImport(inputs(3), 500, kratos);

    expect(kratos.singles).toHaveLength(3);
    expect(result.items.map((item) => item.status)).toEqual(['created', 'failed', 'created']);
    expect(result.items[1]).toMatchObject({
      code: 'identity.invalid',
      reason: 'unknown hash format',
    });
  });

  it('on an outage, the chunk in flight is unknown and the rest is not sent', async () => {
    const kratos = new FakeImportKratos();
    const items = inputs(12);
    let calls = 0;
    const flaky: ImportCalls = {
      batch: async (chunk) => {
        calls += 1;
        if (calls === 2) throw new IamUpstreamUnavailableError();
        return kratos.batch(chunk);
      },
      createOne: (body) => kratos.createOne(body),
      existing: (ids) => kratos.existing(ids),
    };

    const result = await runImport(items, 5, flaky);

    expect(calls).toBe(2);
    expect(result.items.slice(0, 5).every((item) => item.status === 'created')).toBe(true);
    expect(result.items.slice(5, 10).map((item) => item.status === 'failed' && item.code)).toEqual(
      Array(5).fill('identity.import_unknown'),
    );
    expect(result.items.slice(10).map((item) => item.status === 'failed' && item.code)).toEqual([
      'identity.not_imported',
      'identity.not_imported',
    ]);
  });

  it('stops when the admin API refuses the library, and rethrows what is not Kratos', async () => {
    const kratos = new FakeImportKratos();
    kratos.failBatchWith = new OryResponseError('import', 403, {});
    const refused = await runImport(inputs(3), 2, kratos);
    expect(kratos.batches).toEqual([2]);
    expect(refused.items.map((item) => item.status === 'failed' && item.code)).toEqual(
      Array(3).fill('identity.not_imported'),
    );

    kratos.failBatchWith = new TypeError('bug');
    await expect(runImport(inputs(1), 2, kratos)).rejects.toThrow(TypeError);
  });
});
