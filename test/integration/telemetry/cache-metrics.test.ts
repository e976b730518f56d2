import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemoryReplayCache } from '../../../src/index.js';
import { request } from '../../support/nest-app.js';
import { useOryStack } from '../../support/ory/vitest.js';
import { type SignedApp, startSignedApp } from '../../support/signed-app.js';
import { ListingsController } from '../keto/controllers.js';
import { AUDIENCE, KetoAdmin, ketoUrls, newId } from '../keto/support.js';
import { exportedText } from './exported-text.js';
import { type OtelSdk, registerOtelSdk } from './otel-sdk.js';

const metadata = { controllers: [ListingsController] };

describe('OpenTelemetry metrics of the decision cache and the replay store (real SDK, real Keto)', () => {
  const ory = useOryStack({ kratos: false });
  let sdk: OtelSdk;
  let cached: SignedApp;
  let replay: SignedApp;
  // 4 live ids for the tenant, 2 (50%) per subject.
  const replayCache = new InMemoryReplayCache({ maxEntries: 4, maxSubjectSharePercent: 50 });
  const tokens: string[] = [];

  const view = async (app: SignedApp, user: string, listing: string): Promise<number> => {
    const token = app.token(user);
    tokens.push(token);
    const response = await request(`${app.url}/listings/${listing}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    return response.status;
  };

  const pointsOf = async (name: string) =>
    (await sdk.points<number>(name)).map((point) => ({ ...point.attributes, value: point.value }));

  beforeAll(async () => {
    sdk = registerOtelSdk();
    const { readUrl } = ketoUrls(ory());
    cached = await startSignedApp('express', {
      audience: AUDIENCE,
      keto: { readUrl, decisionCache: { enabled: true, ttlMs: 60_000 } },
      metadata,
    });
    replay = await startSignedApp('express', {
      audience: AUDIENCE,
      replay: true,
      replayCache,
      keto: { readUrl },
      metadata,
    });
  });
  afterAll(async () => {
    await cached?.close();
    await replay?.close();
    replayCache.close();
    await sdk?.shutdown();
  });

  it('counts the Keto decision cache lookups by hit, per tenant', async () => {
    const [user, listing, other] = [newId('user'), newId('listing'), newId('listing')];
    await new KetoAdmin(ketoUrls(ory()).writeUrl).write({
      namespace: 'listings',
      object: listing,
      relation: 'view',
      subject: user,
    });
    // Miss then two hits for the allow; miss then hit for the deny (denies are cached too).
    expect(await view(cached, user, listing)).toBe(200);
    expect(await view(cached, user, listing)).toBe(200);
    expect(await view(cached, user, listing)).toBe(200);
    expect(await view(cached, user, other)).toBe(403);
    expect(await view(cached, user, other)).toBe(403);

    expect(await pointsOf('iam.decision_cache.lookups')).toEqual(
      expect.arrayContaining([
        { 'iam.tenant': 'default', 'iam.cache_hit': true, value: 3 },
        { 'iam.tenant': 'default', 'iam.cache_hit': false, value: 2 },
      ]),
    );
    // Only the app with a decision cache counts lookups: both its points, nothing else.
    expect(await pointsOf('iam.decision_cache.lookups')).toHaveLength(2);
  });

  it('reports the replay cache entries per tenant and counts its refusals by reason', async () => {
    // No Keto tuple is needed: the replay claim comes first, the 403 after it proves it passed.
    const listing = newId('listing');
    const [mallory, alice, bob] = [newId('mallory'), newId('alice'), newId('bob')];
    const statuses = [
      await view(replay, mallory, listing),
      await view(replay, mallory, listing),
      await view(replay, mallory, listing), // mallory holds her share: subject_share
      await view(replay, alice, listing),
      await view(replay, alice, listing), // the tenant's 4 ids are live now
      await view(replay, bob, listing), // tenant_full
    ];
    expect(statuses).toEqual([403, 403, 503, 403, 403, 503]);

    expect(await pointsOf('iam.replay.entries')).toEqual([{ 'iam.tenant': 'default', value: 4 }]);
    const refusals = await pointsOf('iam.replay.refusals');
    expect(refusals).toEqual(
      expect.arrayContaining([
        { 'iam.tenant': 'default', 'iam.reason': 'subject_share', value: 1 },
        { 'iam.tenant': 'default', 'iam.reason': 'tenant_full', value: 1 },
      ]),
    );
    expect(refusals).toHaveLength(2);
  });

  it('exports no token text in any metric', async () => {
    const text = await exportedText(sdk);
    for (const token of tokens) {
      for (const part of token.split('.')) expect(text).not.toContain(part);
    }
  });
});
