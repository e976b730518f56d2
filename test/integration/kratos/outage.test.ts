import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstAnswerWith, PLATFORMS, request } from '../../support/nest-app.js';
import { loginNative } from '../../support/ory/kratos-flows.js';
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

  it('answers 503 with Retry-After while Kratos is down, and 200 once it is back', async () => {
    const signIn = async () => {
      const { adminUrl, publicUrl } = kratosUrls(ory());
      const user = await createIdentity(adminUrl);
      return (await loginNative(publicUrl, user.email, PASSWORD)).sessionToken;
    };
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
    expect(app.events.map((event) => event.name)).toContain('auth.upstream_unavailable');
    // Kratos keeps its store in memory here, so the old session is gone: sign in again.
    const freshToken = await signIn();
    expect(
      (await request(`${app.url}/me`, { headers: { 'X-Session-Token': freshToken } })).status,
    ).toBe(200);
  });
});
