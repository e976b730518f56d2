/**
 * Issue 15 item 6, Kratos: the real Kratos' public API reached through Toxiproxy, a real Nest app
 * whose bearer transport asks it about every session (`/sessions/whoami`, no session cache).
 * Under every network fault the request answers 503 with `Retry-After`, never a 200 and never a
 * 401 (the session is valid); it passes again once the fault is gone, without a restart. Sessions
 * of the wrong shape, which no proxy can produce, are covered by the lying proxy of
 * test/integration/kratos/outage.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORMS, request } from '../../support/nest-app.js';
import { registerNative } from '../../support/ory/kratos-flows.js';
import { useOryStack } from '../../support/ory/vitest.js';
import type { ToxiproxyProxy } from '../../support/toxiproxy/client.js';
import { FAULT_DESCRIPTIONS, FAULTS } from '../../support/toxiproxy/faults.js';
import { useToxiproxy } from '../../support/toxiproxy/vitest.js';
import { type IamApp, startIamApp } from '../kratos/support.js';
import { proveFault, watchUnhandledRejections } from './invariants.js';

const TIMEOUT_MS = 300;

describe.each(PLATFORMS)('Kratos behind Toxiproxy on %s', (platform) => {
  const ory = useOryStack({ keto: false });
  const toxiproxy = useToxiproxy();
  const unhandledRejections = watchUnhandledRejections();
  let proxy: ToxiproxyProxy;
  let app: IamApp;
  let sessionToken: string;

  beforeAll(async () => {
    const publicUrl = ory().urls.kratosPublic ?? '';
    proxy = await toxiproxy().createProxy(`kratos-public-${platform}`, new URL(publicUrl).host);
    app = await startIamApp(platform, {
      transport: 'bearer',
      kratos: { publicUrl: proxy.url() },
      http: { timeoutMs: TIMEOUT_MS, retries: 1 },
    });
    // Whoami's answer (the session with its identity, about 1.5 KB) is what 1 KB/s holds up.
    sessionToken = (
      await registerNative(publicUrl, `${randomUUID()}@example.test`, 'faults-Passw0rd-x')
    ).sessionToken;
  });
  afterAll(() => app?.close());

  it.each(FAULTS)('%s: 503 with Retry-After, never a 401, passes once healed', async (fault) => {
    app.events.length = 0;
    await proveFault({
      proxy,
      fault,
      timeoutMs: TIMEOUT_MS,
      send: () => request(`${app.url}/me`, { headers: { 'X-Session-Token': sessionToken } }),
      unhandledRejections,
    });
    const names = app.events.map((event) => event.name);
    expect(names, FAULT_DESCRIPTIONS[fault]).toContain('auth.upstream_unavailable');
    expect(names.filter((name) => name.startsWith('auth.failure'))).toEqual([]);
  });
});
