/**
 * How the checks of one request reach the real Keto: one batch call when Keto's limit allows it,
 * and one check at a time when Keto has no batch endpoint.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useOryStack } from '../../support/ory/vitest.js';
import { RecordingProxy } from '../../support/recording-proxy.js';
import { BATCH_CHECKS, ListingsController } from './controllers.js';
import { KetoAdmin, type KetoApp, ketoUrls, newId, startKetoApp } from './support.js';

const BATCH_PATH = '/relation-tuples/batch/check';
const CHECK_PATH = '/relation-tuples/check/openapi';

describe('batching against the real Keto', () => {
  const ory = useOryStack({ kratos: false });
  let keto: KetoAdmin;
  let proxy: RecordingProxy;
  let app: KetoApp;

  beforeAll(async () => {
    // Raise Keto's batch limit to the checks of one request; the harness restarts Keto with it.
    appendFileSync(
      join(ory().runDir, 'keto.yml'),
      `\nlimit:\n  max_batch_check_size: ${BATCH_CHECKS}\n`,
    );
    await ory().restart('keto');
    const { readUrl, writeUrl } = ketoUrls(ory());
    keto = new KetoAdmin(writeUrl);
    proxy = new RecordingProxy(readUrl);
    await proxy.start();
    app = await startKetoApp(
      'express',
      { readUrl: proxy.url, writeUrl, maxBatchCheckSize: BATCH_CHECKS },
      [ListingsController],
    );
  });
  afterAll(async () => {
    await app?.close();
    await proxy?.stop();
  });

  const grantAll = async (user: string, prefix: string) => {
    const tuples = Array.from({ length: BATCH_CHECKS }, (_, index) => ({
      namespace: 'listings',
      object: `${prefix}-${index}`,
      relation: 'view',
      subject: user,
    }));
    await keto.write(...tuples);
    return tuples;
  };

  it(`sends the ${BATCH_CHECKS} checks of one request in one batch call`, async () => {
    const [user, prefix] = [newId('user'), newId('batch')];
    await grantAll(user, prefix);
    proxy.seen.length = 0;

    expect((await app.as(user, `/listings/batch/${prefix}`)).status).toBe(200);
    expect(proxy.seen.map((call) => call.path)).toEqual([BATCH_PATH]);
    const [call] = proxy.seen;
    expect((JSON.parse(call?.body ?? '{}') as { tuples: unknown[] }).tuples).toHaveLength(
      BATCH_CHECKS,
    );

    expect((await app.as(newId('stranger'), `/listings/batch/${prefix}`)).status).toBe(403);
  });

  it('checks one at a time, from then on, when Keto has no batch endpoint', async () => {
    const [user, prefix] = [newId('user'), newId('batch')];
    await grantAll(user, prefix);
    proxy.refuse.set(BATCH_PATH, 404);
    try {
      proxy.seen.length = 0;
      expect((await app.as(user, `/listings/batch/${prefix}`)).status).toBe(200);
      expect(proxy.calls(BATCH_PATH)).toHaveLength(1);
      expect(proxy.calls(CHECK_PATH)).toHaveLength(BATCH_CHECKS);

      proxy.seen.length = 0;
      expect((await app.as(newId('stranger'), `/listings/batch/${prefix}`)).status).toBe(403);
      expect(proxy.calls(BATCH_PATH)).toHaveLength(0);
      expect(proxy.calls(CHECK_PATH)).toHaveLength(BATCH_CHECKS);
    } finally {
      proxy.refuse.delete(BATCH_PATH);
    }
  });
});
