import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FlowService,
  IdentityService,
  SessionService,
  type TenantFlows,
} from '../../../src/index.js';
import { PLATFORMS, request } from '../../support/nest-app.js';
import { loginBrowser, loginNative } from '../../support/ory/kratos-flows.js';
import {
  createIdentity,
  type IamApp,
  kratosUrls,
  PASSWORD,
  startIamApp,
  useKratosStack,
} from './support.js';

/**
 * With a session cache whose entries outlive the test, every logout, revoke and identity change
 * the library makes must end access on the very next request: the cache would otherwise answer
 * 200 without asking Kratos.
 */
describe.each(PLATFORMS)(
  'the session cache after logouts and revokes, real Kratos, %s',
  (platform) => {
    const ory = useKratosStack();
    let app: IamApp;

    const flows = (): TenantFlows => app.app.get(FlowService).forTenant('default');
    const sessions = () => app.app.get(SessionService).forTenant('default');
    const identities = () => app.app.get(IdentityService).forTenant('default');
    const me = (headers: Record<string, string>) => request(`${app.url}/me`, { headers });

    /** A user logged in natively, whose session the cache now holds. */
    const cachedToken = async () => {
      const { publicUrl, adminUrl } = kratosUrls(ory());
      const user = await createIdentity(adminUrl);
      const { sessionToken } = await loginNative(publicUrl, user.email, PASSWORD);
      const first = await me({ 'X-Session-Token': sessionToken });
      expect(first.status).toBe(200);
      return {
        user,
        token: sessionToken,
        sessionId: (first.body as { sessionId: string }).sessionId,
      };
    };
    const expectInactive = async (headers: Record<string, string>) =>
      expect(await me(headers)).toMatchObject({
        status: 401,
        body: { code: 'auth.failure.session_inactive' },
      });

    beforeAll(async () => {
      const { publicUrl, adminUrl } = kratosUrls(ory());
      app = await startIamApp(platform, {
        transport: 'cookie-or-bearer',
        kratos: { publicUrl, adminUrl, sessionCache: { enabled: true, ttlMs: 600_000 } },
      });
    });
    afterAll(async () => {
      await app?.close();
    });

    it('a native logout through FlowService ends the token at once', async () => {
      const { token } = await cachedToken();
      await flows().logout({ sessionToken: token });
      await expectInactive({ 'X-Session-Token': token });
    });

    it('a browser logout through FlowService ends the cookie at once', async () => {
      const { publicUrl, adminUrl } = kratosUrls(ory());
      const user = await createIdentity(adminUrl);
      const cookie = await loginBrowser(publicUrl, user.email, PASSWORD);
      expect((await me({ Cookie: cookie })).status).toBe(200);

      const result = await flows().logout({ mode: 'browser', cookie: `theme=dark; ${cookie}` });

      expect(result.setCookies.some((set) => set.startsWith('ory_kratos_session='))).toBe(true);
      await expectInactive({ Cookie: cookie });
    });

    it('SessionService.revoke ends the session at once', async () => {
      const { token, sessionId } = await cachedToken();
      await sessions().revoke(sessionId);
      await expectInactive({ 'X-Session-Token': token });
    });

    it('SessionService.revokeAllForIdentity ends every session at once', async () => {
      const { token, user } = await cachedToken();
      await sessions().revokeAllForIdentity(user.id);
      await expectInactive({ 'X-Session-Token': token });
    });

    it('IdentityService.deactivate ends the sessions at once', async () => {
      const { token, user } = await cachedToken();
      await identities().deactivate(user.id);
      await expectInactive({ 'X-Session-Token': token });
    });

    it('IdentityService.delete ends the sessions at once', async () => {
      const { token, user } = await cachedToken();
      await identities().delete(user.id);
      await expectInactive({ 'X-Session-Token': token });
    });
  },
);
