/**
 * The real Kratos for `bench/http`'s cookie variant: one identity logged in through the browser
 * flow, and a recording proxy in front of Kratos' public API so the run can count the requests
 * that missed the session cache and reached Kratos.
 */

import { randomUUID } from 'node:crypto';
import { loginBrowser } from '../../test/support/ory/kratos-flows.js';
import { type OryStack, startOry } from '../../test/support/ory/stack.js';
import { RecordingProxy } from '../../test/support/recording-proxy.js';

const PASSWORD = 'bench-Passw0rd-not-secret';

export interface BenchKratos {
  /** What the servers use as Kratos' public URL: the recording proxy. */
  readonly publicUrl: string;
  /** `ory_kratos_session=<value>`, for the Cookie header. */
  readonly cookie: string;
  /** Session checks that reached Kratos so far (cache misses). */
  whoamiCalls(): number;
  stop(): Promise<void>;
}

async function createIdentity(adminUrl: string, email: string): Promise<void> {
  const response = await fetch(`${adminUrl}/admin/identities`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      schema_id: 'default',
      traits: { email },
      metadata_public: { roles: ['orders:reader'] },
      credentials: { password: { config: { password: PASSWORD } } },
    }),
  });
  if (response.status !== 201) throw new Error(`create identity: ${response.status}`);
}

export async function startKratos(): Promise<BenchKratos> {
  const ory: OryStack = await startOry({ keto: false });
  const { kratosPublic, kratosAdmin } = ory.urls;
  if (kratosPublic === undefined || kratosAdmin === undefined) {
    await ory.stop();
    throw new Error('Kratos did not start');
  }
  const email = `${randomUUID()}@bench.test`;
  await createIdentity(kratosAdmin, email);
  const cookie = await loginBrowser(kratosPublic, email, PASSWORD);
  const proxy = new RecordingProxy(kratosPublic);
  await proxy.start();
  return {
    publicUrl: proxy.url,
    cookie,
    whoamiCalls: () => proxy.calls('/sessions/whoami').length,
    stop: async () => {
      await proxy.stop();
      await ory.stop();
    },
  };
}
