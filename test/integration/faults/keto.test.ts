/**
 * Issue 15 item 6, Keto: the real Keto's read API reached through Toxiproxy, a real Nest app whose
 * `@RequirePermission` asks it. Under every network fault the permission check answers 503 with
 * `Retry-After`, never an allow and never a deny (the grant exists); it allows again once the
 * fault is gone, without a restart. A 200 with a body of the wrong shape, which no proxy can
 * produce, is covered by the lying proxy of test/integration/keto/outage.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORMS } from '../../support/nest-app.js';
import { useOryStack } from '../../support/ory/vitest.js';
import type { ToxiproxyProxy } from '../../support/toxiproxy/client.js';
import { FAULT_DESCRIPTIONS, FAULTS } from '../../support/toxiproxy/faults.js';
import { useToxiproxy } from '../../support/toxiproxy/vitest.js';
import { ListingsController } from '../keto/controllers.js';
import { KetoAdmin, type KetoApp, ketoUrls, newId, startKetoApp } from '../keto/support.js';
import { proveFault, watchUnhandledRejections } from './invariants.js';

const TIMEOUT_MS = 300;

describe.each(PLATFORMS)('Keto behind Toxiproxy on %s', (platform) => {
  const ory = useOryStack({ kratos: false });
  const toxiproxy = useToxiproxy();
  const unhandledRejections = watchUnhandledRejections();
  let proxy: ToxiproxyProxy;
  let app: KetoApp;
  // Long enough (1.2 KB in the check's query) that 1 KB/s cannot carry it within the timeout.
  const user = `${newId('user')}-${'x'.repeat(1_200)}`;
  const listing = newId('listing');

  beforeAll(async () => {
    const { readUrl, writeUrl } = ketoUrls(ory());
    proxy = await toxiproxy().createProxy(`keto-read-${platform}`, new URL(readUrl).host);
    app = await startKetoApp(platform, { readUrl: proxy.url() }, [ListingsController], {
      timeoutMs: TIMEOUT_MS,
      retries: 1,
    });
    await new KetoAdmin(writeUrl).write({
      namespace: 'listings',
      object: listing,
      relation: 'view',
      subject: user,
    });
  });
  afterAll(() => app?.close());

  it.each(FAULTS)(
    '%s: 503 with Retry-After, never a decision, allowed once healed',
    async (fault) => {
      app.events.length = 0;
      await proveFault({
        proxy,
        fault,
        timeoutMs: TIMEOUT_MS,
        send: () => app.as(user, `/listings/${listing}`),
        unhandledRejections,
      });
      const names = app.events.map((event) => event.name);
      expect(names, FAULT_DESCRIPTIONS[fault]).toContain('auth.upstream_unavailable');
      expect(names, 'a fault is not a denial').not.toContain('authz.permission.deny');
    },
  );
});
