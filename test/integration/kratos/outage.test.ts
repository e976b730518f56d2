import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstAnswerWith, PLATFORMS, request } from '../../support/nest-app.js';
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

describe.each(PLATFORMS)('Kratos outage on %s', (platform) => {
  const ory = useKratosStack();
  let app: IamApp;

  beforeAll(async () => {
    app = await startIamApp(platform, {
      transport: 'bearer',
      kratos: { publicUrl: kratosUrls(ory()).publicUrl },
      http: { timeoutMs: 500, retries: 0 },
    });
  });
  afterAll(() => app?.close());

  const signIn = async () => {
    const { adminUrl, publicUrl } = kratosUrls(ory());
    const user = await createIdentity(adminUrl);
    return (await loginNative(publicUrl, user.email, PASSWORD)).sessionToken;
  };

  it('answers 503 with Retry-After while Kratos is down, and 200 once it is back', async () => {
    const token = await signIn();
    const me = () => request(`${app.url}/me`, { headers: { 'X-Session-Token': token } });
    expect((await me()).status).toBe(200);

    // restart() stops Kratos, then starts it and waits for /health/ready: the app sees the gap.
    const restarted = ory().restart('kratos');
    const down = await firstAnswerWith(503, me, 30_000);
    await restarted;

    expect(down.body).toEqual({
      statusCode: 503,
      code: 'auth.upstream_unavailable',
      message: expect.any(String),
    });
    expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0);
    const outage = app.events.find((event) => event.name === 'auth.upstream_unavailable');
    // The operator learns what failed (refused, timed out, a 5xx and from where); the client not.
    expect(outage?.detail?.reason).toMatch(
      /^Kratos \/sessions\/whoami: (E[A-Z]+ |no answer in time |HTTP 5\d\d )/,
    );
    expect(JSON.stringify(down.body)).not.toContain('127.0.0.1');
    // Kratos keeps its store in memory here, so the old session is gone: sign in again.
    const freshToken = await signIn();
    expect(
      (await request(`${app.url}/me`, { headers: { 'X-Session-Token': freshToken } })).status,
    ).toBe(200);
  });

  it('answers 503, never a 401 or an allow, when Kratos answers a session of the wrong shape', async () => {
    const lyingKratos = new RecordingProxy(kratosUrls(ory()).publicUrl);
    await lyingKratos.start();
    const lied = await startIamApp(platform, {
      transport: 'bearer',
      kratos: { publicUrl: lyingKratos.url },
      http: { timeoutMs: 2_000, retries: 0 },
    });
    try {
      const token = await signIn();
      const me = () => request(`${lied.url}/me`, { headers: { 'X-Session-Token': token } });
      // Kratos' own answer has the shape the library checks for.
      expect((await me()).status).toBe(200);

      const lies: Array<[string, (session: unknown) => unknown]> = [
        ['no active flag', (session) => ({ ...(session as object), active: undefined })],
        ['a garbled expires_at', (session) => ({ ...(session as object), expires_at: 'never' })],
        ['an empty object', () => ({})],
      ];
      for (const [lie, rewrite] of lies) {
        lyingKratos.lies.set('/sessions/whoami', rewrite);
        lied.events.length = 0;
        const answer = await me();
        expect({ lie, status: answer.status, body: answer.body }).toEqual({
          lie,
          status: 503,
          body: {
            statusCode: 503,
            code: 'auth.upstream_unavailable',
            message: 'Kratos answered unexpectedly.',
          },
        });
        expect(lied.events.map((event) => [event.name, event.detail?.reason])).toEqual([
          ['auth.upstream_unavailable', expect.stringMatching(/^malformed answer from Kratos: /)],
        ]);
      }
    } finally {
      await lied.close();
      await lyingKratos.stop();
    }
  });
});
