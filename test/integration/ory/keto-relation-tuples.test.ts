import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useOryStack } from '../../support/ory/vitest.js';

interface Tuple {
  namespace: string;
  object: string;
  relation: string;
  subject_id?: string;
  subject_set?: { namespace: string; object: string; relation: string };
}

describe('Keto relation tuples (real server)', () => {
  const ory = useOryStack({ kratos: false });
  const urls = () => {
    const { ketoRead, ketoWrite } = ory().urls;
    if (ketoRead === undefined || ketoWrite === undefined) throw new Error('Keto is not running');
    return { read: ketoRead, write: ketoWrite };
  };
  const query = (tuple: Tuple) => {
    const params = new URLSearchParams({
      namespace: tuple.namespace,
      object: tuple.object,
      relation: tuple.relation,
    });
    if (tuple.subject_id !== undefined) params.set('subject_id', tuple.subject_id);
    if (tuple.subject_set !== undefined) {
      params.set('subject_set.namespace', tuple.subject_set.namespace);
      params.set('subject_set.object', tuple.subject_set.object);
      params.set('subject_set.relation', tuple.subject_set.relation);
    }
    return params.toString();
  };
  const write = (tuple: Tuple) =>
    fetch(`${urls().write}/admin/relation-tuples`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(tuple),
    });
  const remove = (tuple: Tuple) =>
    fetch(`${urls().write}/admin/relation-tuples?${query(tuple)}`, { method: 'DELETE' });
  const check = async (tuple: Tuple) => {
    const response = await fetch(`${urls().read}/relation-tuples/check?${query(tuple)}`);
    return { status: response.status, body: (await response.json()) as { allowed: boolean } };
  };

  it('allows once a tuple is written and denies once it is deleted', async () => {
    const tuple = {
      namespace: 'orders',
      object: randomUUID(),
      relation: 'view',
      subject_id: 'alice',
    };
    expect(await check(tuple)).toEqual({ status: 403, body: { allowed: false } });

    expect((await write(tuple)).status).toBe(201);
    expect(await check(tuple)).toEqual({ status: 200, body: { allowed: true } });

    expect((await remove(tuple)).status).toBe(204);
    expect(await check(tuple)).toEqual({ status: 403, body: { allowed: false } });
  });

  it('grants through a subject set in the groups namespace', async () => {
    const listing = randomUUID();
    const group = randomUUID();
    const member = `user-${randomUUID()}`;
    const grant = {
      namespace: 'listings',
      object: listing,
      relation: 'edit',
      subject_set: { namespace: 'groups', object: group, relation: 'member' },
    };
    expect((await write(grant)).status).toBe(201);
    const asMember = {
      namespace: 'listings',
      object: listing,
      relation: 'edit',
      subject_id: member,
    };
    expect((await check(asMember)).body.allowed).toBe(false);

    const membership = {
      namespace: 'groups',
      object: group,
      relation: 'member',
      subject_id: member,
    };
    expect((await write(membership)).status).toBe(201);
    expect((await check(asMember)).body.allowed).toBe(true);

    expect((await remove(membership)).status).toBe(204);
    expect((await check(asMember)).body.allowed).toBe(false);
  });

  it('answers a batch check in order and denies unknown namespaces', async () => {
    const tuple = {
      namespace: 'orders',
      object: randomUUID(),
      relation: 'view',
      subject_id: 'bob',
    };
    expect((await write(tuple)).status).toBe(201);
    const response = await fetch(`${urls().read}/relation-tuples/batch/check`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        tuples: [tuple, { ...tuple, subject_id: 'mallory' }, { ...tuple, namespace: 'nope' }],
      }),
    });
    expect(response.status).toBe(200);
    const { results } = (await response.json()) as { results: Array<{ allowed: boolean }> };
    expect(results.map((result) => result.allowed)).toEqual([true, false, false]);
  });
});
