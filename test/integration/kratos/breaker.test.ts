/**
 * Issue 15 item 2 against the real Kratos: whoami goes through the tenant's Kratos public API
 * breaker. Kratos answering 401 (no such session) never opens it; Kratos's port refusing (a relay
 * in front of the real server, taken down) does, and the probe closes it once the relay is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstAnswerWith, type JsonResponse, request } from '../../support/nest-app.js';
import { loginNative } from '../../support/ory/kratos-flows.js';
import { TcpProxy } from '../../support/tcp-proxy.js';
import {
  createIdentity,
  type IamApp,
  kratosUrls,
  PASSWORD,
  startIamApp,
  useKratosStack,
} from './support.js';

const codeOf = (answer: JsonResponse) => (answer.body as { code?: string }).code;

describe('Kratos public API breaker', () => {
  const ory = useKratosStack();
  let relay: TcpProxy;
  let app: IamApp;

  beforeAll(async () => {
    const { port } = new URL(kratosUrls(ory()).publicUrl);
    relay = new TcpProxy('127.0.0.1', Number(port));
    await relay.start();
    app = await startIamApp('express', {
      transport: 'bearer',
      kratos: { publicUrl: `http://127.0.0.1:${relay.port}` },
      http: {
        timeoutMs: 1_000,
        retries: 0,
        breaker: { failureThreshold: 3, halfOpenAfterMs: 1_000 },
      },
    });
  });
  afterAll(async () => {
    await app?.close();
    await relay?.stop();
  });

  it('never opens on 401s, opens on refused connections, and closes on the probe once Kratos is back', async () => {
    const { adminUrl, publicUrl } = kratosUrls(ory());
    const user = await createIdentity(adminUrl);
    const token = (await loginNative(publicUrl, user.email, PASSWORD)).sessionToken;
    const me = () => request(`${app.url}/me`, { headers: { 'X-Session-Token': token } });
    const stranger = () =>
      request(`${app.url}/me`, { headers: { 'X-Session-Token': 'ory_st_not_a_session' } });

    for (let i = 0; i < 5; i += 1) expect((await stranger()).status).toBe(401);
    expect((await me()).status).toBe(200);
    expect(app.events.map((event) => event.name)).not.toContain('upstream.breaker.opened');

    await relay.stop();
    const whileDown: JsonResponse[] = [];
    for (let i = 0; i < 4; i += 1) whileDown.push(await me());
    expect(whileDown.map((answer) => [answer.status, codeOf(answer)])).toEqual([
      [503, 'auth.upstream_unavailable'],
      [503, 'auth.upstream_unavailable'],
      [503, 'auth.upstream_unavailable'],
      [503, 'upstream.circuit_open'],
    ]);
    expect(Number(whileDown[3]?.headers.get('retry-after'))).toBe(1);
    expect(app.events.find((event) => event.name === 'upstream.breaker.opened')).toMatchObject({
      tenant: 'default',
      detail: { upstream: 'kratos-public', reason: expect.stringMatching(/^ECONNREFUSED /) },
    });
    expect(JSON.stringify(app.events)).not.toContain(token);

    await relay.start();
    expect((await firstAnswerWith(200, me, 10_000)).status).toBe(200);
    expect(
      app.events.map((event) => event.name).filter((name) => name.startsWith('upstream.breaker.')),
    ).toEqual([
      'upstream.breaker.opened',
      'upstream.breaker.half_opened',
      'upstream.breaker.closed',
    ]);
  });
});
