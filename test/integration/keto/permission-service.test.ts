/** PermissionService against the real Keto: every method, with subject ids and subject sets. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  IamPermissionRequestError,
  PermissionService,
  type PermissionTree,
  type PermissionTuple,
  type TenantPermissions,
} from '../../../src/index.js';
import { useOryStack } from '../../support/ory/vitest.js';
import { RecordingProxy } from '../../support/recording-proxy.js';
import { ListingsController } from './controllers.js';
import { KetoAdmin, type KetoApp, ketoUrls, newId, startKetoApp } from './support.js';

const view = (object: string, subject: PermissionTuple['subject']): PermissionTuple => ({
  namespace: 'listings',
  object,
  relation: 'view',
  subject,
});

/** Every tuple of a tree, depth first. */
function tuplesOf(tree: PermissionTree | undefined): PermissionTuple[] {
  if (tree === undefined) return [];
  return [...(tree.tuple === undefined ? [] : [tree.tuple]), ...tree.children.flatMap(tuplesOf)];
}

describe('PermissionService with the real Keto', () => {
  const ory = useOryStack({ kratos: false });
  let app: KetoApp;
  let permissions: TenantPermissions;
  let keto: KetoAdmin;

  beforeAll(async () => {
    keto = new KetoAdmin(ketoUrls(ory()).writeUrl);
    app = await startKetoApp('express', ketoUrls(ory()), []);
    permissions = app.app.get(PermissionService).forTenant('default');
  });
  afterAll(() => app?.close());

  it('grants, checks and revokes a subject id; grant and revoke are idempotent', async () => {
    const [user, listing] = [newId('user'), newId('listing')];
    const tuple = view(listing, user);
    expect(await permissions.check(tuple)).toBe(false);

    await permissions.grant(tuple);
    await permissions.grant(tuple);
    expect(await permissions.check(tuple)).toBe(true);
    expect((await permissions.list({ namespace: 'listings', object: listing })).tuples).toEqual([
      tuple,
    ]);

    await permissions.revoke(tuple);
    expect(await permissions.check(tuple)).toBe(false);
    await expect(permissions.revoke(tuple)).resolves.toBeUndefined();
  });

  it('grants through subject sets, checks many in order and expands the tree', async () => {
    const [member, stranger, group, listing] = [
      newId('member'),
      newId('stranger'),
      newId('group'),
      newId('listing'),
    ];
    const members = { namespace: 'groups', object: group, relation: 'member' };
    await permissions.grant(view(listing, members));
    await permissions.grant({ ...members, subject: member });

    expect(
      await permissions.checkMany([
        view(listing, member),
        view(listing, stranger),
        view(listing, members),
        { ...members, subject: member },
      ]),
    ).toEqual([true, false, true, true]);

    const tree = await permissions.expand({
      namespace: 'listings',
      object: listing,
      relation: 'view',
    });
    expect(tree?.type).toBe('union');
    expect(tuplesOf(tree)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ subject: members }),
        expect.objectContaining({ subject: member }),
      ]),
    );
    expect(
      await permissions.expand({ namespace: 'listings', object: newId('none'), relation: 'view' }),
    ).toBeUndefined();

    await permissions.revoke(view(listing, members));
    expect(await permissions.check(view(listing, member))).toBe(false);
  });

  it('answers 25 checks in input order', async () => {
    const [user, prefix] = [newId('user'), newId('many')];
    const tuples = Array.from({ length: 25 }, (_, index) => view(`${prefix}-${index}`, user));
    const granted = tuples.filter((_, index) => index % 3 === 0);
    await keto.write(...granted);
    expect(await permissions.checkMany(tuples)).toEqual(tuples.map((_, index) => index % 3 === 0));
  });

  it('lists page by page, filtered by object or by subject', async () => {
    const [listing, users] = [newId('listing'), [1, 2, 3, 4, 5].map(() => newId('user'))];
    await keto.write(...users.map((user) => view(listing, user)));

    const pages: PermissionTuple[][] = [];
    let pageToken: string | undefined;
    do {
      const page = await permissions.list(
        { namespace: 'listings', object: listing },
        { pageSize: 2, pageToken },
      );
      pages.push([...page.tuples]);
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
    expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
    expect(
      pages
        .flat()
        .map((tuple) => tuple.subject)
        .sort(),
    ).toEqual([...users].sort());

    expect(
      (await permissions.list({ namespace: 'listings', subject: users[2] as string })).tuples,
    ).toEqual([view(listing, users[2] as string)]);
  });

  it('refuses an incomplete tuple before Keto sees it: a revoke is never a wildcard delete', async () => {
    const [user, listing] = [newId('user'), newId('listing')];
    await keto.write(view(listing, user), view(listing, newId('user')));
    // What an unchecked request body can produce: no object.
    const incomplete = JSON.parse(
      `{"namespace":"listings","relation":"view","subject":"${user}"}`,
    ) as PermissionTuple;

    await expect(permissions.revoke(incomplete)).rejects.toThrow(TypeError);
    await expect(permissions.revoke(view(listing, ''))).rejects.toThrow(TypeError);
    await expect(permissions.grant(incomplete)).rejects.toThrow(TypeError);
    await expect(permissions.check(incomplete)).rejects.toThrow(TypeError);
    expect(
      (await permissions.list({ namespace: 'listings', object: listing })).tuples,
    ).toHaveLength(2);
  });

  it('reports a namespace Keto does not know as IamPermissionRequestError', async () => {
    const unknown = { namespace: 'nope', object: 'o', relation: 'view', subject: 'u' };
    const refused = await permissions.grant(unknown).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(IamPermissionRequestError);
    expect(refused).toMatchObject({ status: 404, reason: expect.stringContaining('nope') });
    // A check of an unknown namespace is a plain deny (Keto answers allowed: false).
    expect(await permissions.check(unknown)).toBe(false);
  });
});

describe('PermissionService with the decision cache on', () => {
  const ory = useOryStack({ kratos: false });
  let app: KetoApp;
  let proxy: RecordingProxy;
  let permissions: TenantPermissions;
  let keto: KetoAdmin;

  beforeAll(async () => {
    const { readUrl, writeUrl } = ketoUrls(ory());
    keto = new KetoAdmin(writeUrl);
    proxy = new RecordingProxy(readUrl);
    await proxy.start();
    app = await startKetoApp(
      'express',
      {
        readUrl: proxy.url,
        writeUrl,
        decisionCache: { enabled: true, ttlMs: 60_000 },
      },
      [ListingsController],
    );
    permissions = app.app.get(PermissionService).forTenant('default');
  });
  afterAll(async () => {
    await app?.close();
    await proxy?.stop();
  });

  it('reuses answers, forgets them on grant and revoke through the service, not on writes elsewhere', async () => {
    const [user, listing] = [newId('user'), newId('listing')];
    const tuple = view(listing, user);
    const checks = () => proxy.calls('/relation-tuples/check/openapi');
    proxy.seen.length = 0;
    expect(await permissions.check(tuple)).toBe(false);
    expect(await permissions.check(tuple)).toBe(false);
    expect(checks()).toHaveLength(1);

    // A grant through the service is seen at once.
    await permissions.grant(tuple);
    expect(await permissions.check(tuple)).toBe(true);

    // A revoke straight in Keto is not: the cached allow stands until its TTL (the trade-off).
    await keto.delete(tuple);
    expect(await permissions.check(tuple)).toBe(true);

    // A revoke through the service clears the cache, even when Keto had nothing left to delete.
    await permissions.revoke(tuple);
    expect(await permissions.check(tuple)).toBe(false);
    expect(checks()).toHaveLength(3);
  });

  it('answers repeated requests from the cache, audited every time, until a revoke through the service', async () => {
    const [user, listing] = [newId('user'), newId('listing')];
    await keto.write(view(listing, user));
    const checks = () => proxy.calls('/relation-tuples/check/openapi');
    proxy.seen.length = 0;
    app.events.length = 0;

    expect((await app.as(user, `/listings/${listing}`)).status).toBe(200);
    expect((await app.as(user, `/listings/${listing}`)).status).toBe(200);
    expect(checks()).toHaveLength(1);
    expect(app.events.filter((event) => event.name === 'authz.permission.allow')).toHaveLength(2);

    await permissions.revoke(view(listing, user));
    expect((await app.as(user, `/listings/${listing}`)).status).toBe(403);
    expect(checks()).toHaveLength(2);
  });
});
