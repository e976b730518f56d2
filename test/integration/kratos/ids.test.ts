import { HttpException } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlowService, IdentityService, SessionService } from '../../../src/index.js';
import { loginNative } from '../../support/ory/kratos-flows.js';
import { RecordingProxy } from '../../support/recording-proxy.js';
import {
  createIdentity,
  type IamApp,
  kratosUrls,
  PASSWORD,
  startIamApp,
  useKratosStack,
} from './support.js';

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

async function errorOf(promise: Promise<unknown>): Promise<{ status: number; body: unknown }> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof HttpException)) throw new Error(`expected an HttpException: ${error}`);
  return { status: error.getStatus(), body: error.getResponse() };
}

describe('ids and unknown ids against the real Kratos', () => {
  const ory = useKratosStack();
  let publicProxy: RecordingProxy;
  let adminProxy: RecordingProxy;
  let app: IamApp;

  const sessions = () => app.app.get(SessionService).forTenant('default');
  const identities = () => app.app.get(IdentityService).forTenant('default');
  const flows = () => app.app.get(FlowService).forTenant('default');

  beforeAll(async () => {
    const { publicUrl, adminUrl } = kratosUrls(ory());
    publicProxy = new RecordingProxy(publicUrl);
    adminProxy = new RecordingProxy(adminUrl);
    await publicProxy.start();
    await adminProxy.start();
    app = await startIamApp('express', {
      transport: 'cookie-or-bearer',
      kratos: { publicUrl: publicProxy.url, adminUrl: adminProxy.url },
    });
  });
  afterAll(async () => {
    await app?.close();
    await publicProxy?.stop();
    await adminProxy?.stop();
  });

  it.each(['..', '.', 'sessions', '../sessions', `${UNKNOWN_ID}/..`, 'not-a-uuid'])(
    'refuses the id %j with 400 request.invalid_id before any request to Kratos',
    async (id) => {
      const body = { identifier: 'x@example.test', password: PASSWORD };
      const calls = [
        () => sessions().list(id),
        () => sessions().revoke(id),
        () => sessions().revokeAllForIdentity(id),
        () => sessions().extend(id),
        () => identities().get(id),
        () => identities().update(id, { traits: {}, state: 'active' }),
        () => identities().delete(id),
        () => identities().deactivate(id, { revokeSessions: true }),
        () => identities().sessions(id),
        () => flows().submitLogin(id, body),
        () => flows().submitRegistration(id, body),
      ];
      const seenBefore = adminProxy.seen.length + publicProxy.seen.length;

      for (const call of calls) {
        expect(await errorOf(call())).toMatchObject({
          status: 400,
          body: { statusCode: 400, code: 'request.invalid_id' },
        });
      }

      expect(adminProxy.seen.length + publicProxy.seen.length).toBe(seenBefore);
    },
  );

  it('answers 404 identity.not_found where Kratos answers 404 or an empty list for an unknown identity', async () => {
    const notFound = {
      status: 404,
      body: { statusCode: 404, code: 'identity.not_found', message: 'Identity not found.' },
    };
    expect(await errorOf(sessions().revokeAllForIdentity(UNKNOWN_ID))).toEqual(notFound);
    expect(await errorOf(sessions().list(UNKNOWN_ID))).toEqual(notFound);
    expect(await errorOf(identities().sessions(UNKNOWN_ID))).toEqual(notFound);
    // What Kratos itself answered: 404 to the delete, an empty page to the listing.
    const deletes = adminProxy.calls(`/admin/identities/${UNKNOWN_ID}/sessions`);
    expect(deletes.map((call) => call.method)).toEqual(['DELETE', 'GET', 'GET']);
  });

  it('answers 404 session.not_found for an unknown session', async () => {
    for (const call of [() => sessions().revoke(UNKNOWN_ID), () => sessions().extend(UNKNOWN_ID)]) {
      expect(await errorOf(call())).toMatchObject({
        status: 404,
        body: { code: 'session.not_found' },
      });
    }
  });

  it('a known identity without sessions: revokeAllForIdentity resolves, list is empty', async () => {
    const user = await createIdentity(kratosUrls(ory()).adminUrl);

    await expect(sessions().revokeAllForIdentity(user.id)).resolves.toBeUndefined();
    expect(await sessions().list(user.id)).toEqual({ sessions: [], nextPageToken: undefined });

    await loginNative(kratosUrls(ory()).publicUrl, user.email, PASSWORD);
    expect((await sessions().list(user.id)).sessions).toHaveLength(1);
    await sessions().revokeAllForIdentity(user.id);
    // Kratos deletes the revoked sessions: the identity is known, so this is done, not a 404.
    await expect(sessions().revokeAllForIdentity(user.id)).resolves.toBeUndefined();
  });
});
