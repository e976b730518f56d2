/**
 * @RequirePermission and PermissionGuard against the real Keto, on real Express and Fastify apps
 * whose identities come from verified Oathkeeper-style JWTs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORMS } from '../../support/nest-app.js';
import { useOryStack } from '../../support/ory/vitest.js';
import { RecordingProxy } from '../../support/recording-proxy.js';
import {
  BATCH_CHECKS,
  ListingsController,
  STAFF_GROUP,
  StaffDocsController,
} from './controllers.js';
import {
  KetoAdmin,
  type KetoApp,
  ketoUrls,
  newId,
  permissionEvents,
  startKetoApp,
} from './support.js';

const DENIED = {
  statusCode: 403,
  code: 'authz.permission.deny',
  message: expect.any(String),
};

describe.each(PLATFORMS)('PermissionGuard with the real Keto on %s', (platform) => {
  const ory = useOryStack({ kratos: false });
  let app: KetoApp;
  let keto: KetoAdmin;
  let proxy: RecordingProxy;

  beforeAll(async () => {
    const { readUrl, writeUrl } = ketoUrls(ory());
    keto = new KetoAdmin(writeUrl);
    // The app reads through a recording proxy, to see which calls it makes to Keto.
    proxy = new RecordingProxy(readUrl);
    await proxy.start();
    app = await startKetoApp(platform, { readUrl: proxy.url, writeUrl }, [
      ListingsController,
      StaffDocsController,
    ]);
  });
  afterAll(async () => {
    await app?.close();
    await proxy?.stop();
  });

  it('allows a subject id Keto grants and denies one it does not', async () => {
    const [alice, mallory, listing] = [newId('alice'), newId('mallory'), newId('listing')];
    await keto.write({ namespace: 'listings', object: listing, relation: 'view', subject: alice });
    app.events.length = 0;

    expect(await app.as(alice, `/listings/${listing}`)).toMatchObject({
      status: 200,
      body: { id: alice },
    });
    const denied = await app.as(mallory, `/listings/${listing}`);
    expect(denied).toMatchObject({ status: 403, body: DENIED });
    expect(permissionEvents(app.events)).toEqual([
      `authz.permission.allow ${alice} listings:${listing}#view@${alice}`,
      `authz.permission.deny ${mallory} listings:${listing}#view@${mallory}`,
    ]);
  });

  it('follows group membership through a subject-set tuple, and its removal', async () => {
    const [member, group, listing] = [newId('member'), newId('group'), newId('listing')];
    const membership = { namespace: 'groups', object: group, relation: 'member', subject: member };
    await keto.write({
      namespace: 'listings',
      object: listing,
      relation: 'view',
      subject: { namespace: 'groups', object: group, relation: 'member' },
    });
    expect((await app.as(member, `/listings/${listing}`)).status).toBe(403);

    await keto.write(membership);
    expect((await app.as(member, `/listings/${listing}`)).status).toBe(200);

    await keto.delete(membership);
    expect((await app.as(member, `/listings/${listing}`)).status).toBe(403);
  });

  it('checks a subject set returned by the subject resolver from verified claims', async () => {
    const [user, team, otherTeam, listing] = [
      newId('user'),
      newId('team'),
      newId('team'),
      newId('listing'),
    ];
    await keto.write({
      namespace: 'listings',
      object: listing,
      relation: 'view',
      subject: { namespace: 'groups', object: team, relation: 'member' },
    });
    app.events.length = 0;
    const asTeam = (claimed: string) =>
      app.as(user, `/listings/${listing}/team`, { claims: { team: claimed } });

    expect((await asTeam(team)).status).toBe(200);
    expect(await asTeam(otherTeam)).toMatchObject({ status: 403, body: DENIED });
    expect(permissionEvents(app.events)).toEqual([
      `authz.permission.allow ${user} listings:${listing}#view@groups:${team}#member`,
      `authz.permission.deny ${user} listings:${listing}#view@groups:${otherTeam}#member`,
    ]);
  });

  it('denies with 403 when only one of two stacked decorators holds, and allows with both', async () => {
    const [editor, listing] = [newId('editor'), newId('listing')];
    const view = { namespace: 'listings', object: listing, relation: 'view', subject: editor };
    const edit = { ...view, relation: 'edit' };

    await keto.write(view);
    app.events.length = 0;
    expect(await app.as(editor, `/listings/${listing}/edit`)).toMatchObject({
      status: 403,
      body: DENIED,
    });
    // Decorators apply bottom-up, so the order of the checks is not the source order.
    expect(permissionEvents(app.events).sort()).toEqual([
      `authz.permission.allow ${editor} listings:${listing}#view@${editor}`,
      `authz.permission.deny ${editor} listings:${listing}#edit@${editor}`,
    ]);

    await keto.delete(view);
    await keto.write(edit);
    expect((await app.as(editor, `/listings/${listing}/edit`)).status).toBe(403);

    await keto.write(view);
    expect((await app.as(editor, `/listings/${listing}/edit`)).status).toBe(200);
  });

  it('accepts either tuple of an anyOf group, and neither is a 403', async () => {
    const [owner, editor, stranger, listing] = [
      newId('owner'),
      newId('editor'),
      newId('stranger'),
      newId('listing'),
    ];
    await keto.write(
      { namespace: 'listings', object: listing, relation: 'owner', subject: owner },
      { namespace: 'listings', object: listing, relation: 'edit', subject: editor },
    );
    expect((await app.as(owner, `/listings/${listing}/any`)).status).toBe(200);
    expect((await app.as(editor, `/listings/${listing}/any`)).status).toBe(200);
    expect(await app.as(stranger, `/listings/${listing}/any`)).toMatchObject({
      status: 403,
      body: DENIED,
    });
  });

  it('enforces the class decorator and the method decorator together', async () => {
    const [staff, outsider, order] = [newId('staff'), newId('outsider'), newId('order')];
    await keto.write(
      { namespace: 'groups', object: STAFF_GROUP, relation: 'member', subject: staff },
      { namespace: 'orders', object: order, relation: 'view', subject: outsider },
    );
    // Method holds, class does not.
    expect(await app.as(outsider, `/staff-docs/${order}`)).toMatchObject({
      status: 403,
      body: DENIED,
    });
    // Class holds, method does not.
    expect((await app.as(staff, `/staff-docs/${order}`)).status).toBe(403);

    await keto.write({ namespace: 'orders', object: order, relation: 'view', subject: staff });
    expect((await app.as(staff, `/staff-docs/${order}`)).status).toBe(200);
  });

  it(`sends ${BATCH_CHECKS} checks of one request as batch calls only, none one by one`, async () => {
    const [user, prefix] = [newId('user'), newId('batch')];
    const tuples = Array.from({ length: BATCH_CHECKS }, (_, index) => ({
      namespace: 'listings',
      object: `${prefix}-${index}`,
      relation: 'view',
      subject: user,
    }));
    await keto.write(...tuples);

    proxy.seen.length = 0;
    expect((await app.as(user, `/listings/batch/${prefix}`)).status).toBe(200);
    // Keto's default limit is 10 tuples per batch: 25 checks are 3 batch calls, sent together,
    // and nothing else (no single checks).
    const batches = proxy.calls('/relation-tuples/batch/check');
    expect(proxy.seen).toHaveLength(batches.length);
    expect(
      batches
        .map((call) => (JSON.parse(call.body) as { tuples: unknown[] }).tuples.length)
        .sort((a, b) => b - a),
    ).toEqual([10, 10, 5]);
    const sent = batches.flatMap(
      (call) => (JSON.parse(call.body) as { tuples: Array<{ object: string }> }).tuples,
    );
    expect(new Set(sent.map((tuple) => tuple.object))).toEqual(
      new Set(tuples.map((tuple) => tuple.object)),
    );

    // One missing tuple among the 25 is enough for a 403.
    await keto.delete(tuples[17] as (typeof tuples)[number]);
    app.events.length = 0;
    expect(await app.as(user, `/listings/batch/${prefix}`)).toMatchObject({
      status: 403,
      body: DENIED,
    });
    expect(permissionEvents(app.events).filter((event) => event.includes('.deny'))).toEqual([
      `authz.permission.deny ${user} listings:${prefix}-17#view@${user}`,
    ]);
    expect(permissionEvents(app.events)).toHaveLength(BATCH_CHECKS);
  });

  it('checks the verified subject whatever subject headers the client sends', async () => {
    const [alice, mallory, listing] = [newId('alice'), newId('mallory'), newId('listing')];
    await keto.write({ namespace: 'listings', object: listing, relation: 'view', subject: alice });
    app.events.length = 0;

    const forged = await app.as(mallory, `/listings/${listing}?subject_id=${alice}`, {
      headers: {
        'X-User': alice,
        'X-User-Id': alice,
        'X-Subject': alice,
        'X-Subject-Id': alice,
        'X-Ory-Subject': alice,
        'X-Forwarded-User': alice,
      },
    });
    expect(forged).toMatchObject({ status: 403, body: DENIED });
    expect(permissionEvents(app.events)).toEqual([
      `authz.permission.deny ${mallory} listings:${listing}#view@${mallory}`,
    ]);
  });
});
