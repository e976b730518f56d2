/**
 * The walkthrough's smoke test (section 7) as code, shared by `run.ts --smoke` and the e2e test:
 * register and log in through auth-bff behind the front door (Oathkeeper's proxy, or nginx asking
 * Oathkeeper's decision API), then check the zero-trust path.
 */
import type { EchoUpstream } from '../../../test/support/ory/echo-upstream.js';
import { bearer, call, expectAnswer, type StepLog } from './http.js';
import type { ZeroTrust } from './zero-trust-stack.js';

export interface Login {
  readonly sessionToken: string;
  readonly identityId: string;
}

/** The route the capture upstream sits behind (session required, id_token minted). */
export const capturePath = '/capture';

function flowId(body: unknown): string {
  const flow = body as { id?: unknown; flow?: { id?: unknown } };
  const id = flow.id ?? flow.flow?.id;
  if (typeof id !== 'string') throw new Error(`no flow id in ${JSON.stringify(body)}`);
  return id;
}

function loginResult(body: unknown): Login {
  const result = body as { status?: string; sessionToken?: string; identity?: { id?: string } };
  if (result.status !== 'success' || !result.sessionToken || !result.identity?.id) {
    throw new Error(`expected a successful flow, got ${JSON.stringify(body).slice(0, 1_000)}`);
  }
  return { sessionToken: result.sessionToken, identityId: result.identity.id };
}

/** Native registration through the front door -> auth-bff -> Kratos. */
export async function registerViaBff(proxy: string, email: string, password: string) {
  const flow = flowId(expectAnswer(await call(`${proxy}/auth/registration`), 200));
  const submitted = await call(`${proxy}/auth/registration/${flow}`, {
    method: 'POST',
    json: { method: 'password', password, traits: { email } },
  });
  return loginResult(expectAnswer(submitted, 201));
}

/** Native login through the front door -> auth-bff -> Kratos; a new session token. */
export async function loginViaBff(proxy: string, email: string, password: string) {
  const flow = flowId(expectAnswer(await call(`${proxy}/auth/login`), 200));
  const submitted = await call(`${proxy}/auth/login/${flow}`, {
    method: 'POST',
    json: { method: 'password', identifier: email, password },
  });
  return loginResult(expectAnswer(submitted, 201));
}

/**
 * An id_token exactly as Oathkeeper mints it: requested through the front door on a route whose
 * upstream records the request (the walkthrough's "sniffer on the link").
 */
export async function captureJwt(proxy: string, capture: EchoUpstream, session: string) {
  const before = capture.hits.length;
  expectAnswer(await call(`${proxy}${capturePath}`, { headers: bearer(session) }), 200);
  const authorization = capture.hits[before]?.headers.authorization;
  if (authorization === undefined || !authorization.startsWith('Bearer ')) {
    throw new Error('Oathkeeper forwarded no Authorization: Bearer header');
  }
  return authorization.slice('Bearer '.length);
}

export const demoPassword = 'Corr3ctHorseBatteryStaple!';

/** Section 7 of the walkthrough, step by step; resolves with the registered user's login. */
export async function smokeChecks(
  stack: ZeroTrust,
  capture: EchoUpstream,
  log: StepLog,
  email = `alice-${Date.now()}@example.com`,
): Promise<Login> {
  const { proxy, door } = stack;
  const registered = await log.step(
    `register through ${door} -> auth-bff`,
    () => registerViaBff(proxy, email, demoPassword),
    (login) => `identity ${login.identityId}`,
  );
  const login = await log.step(
    `log in through ${door} -> auth-bff`,
    () => loginViaBff(proxy, email, demoPassword),
    () => 'session token received',
  );
  await log.step(
    `GET /orders through ${door}`,
    async () => {
      const body = expectAnswer(
        await call(`${proxy}/orders`, { headers: bearer(login.sessionToken) }),
        200,
      ) as { user?: string };
      if (body.user !== registered.identityId) {
        throw new Error(`user ${String(body.user)}, expected ${registered.identityId}`);
      }
    },
    () => `200, user is the Kratos identity id`,
  );
  await log.step(
    'GET /orders straight to orders-api with the session token',
    async () =>
      expectAnswer(
        await call(`${stack.ordersApi.url}/orders`, { headers: bearer(login.sessionToken) }),
        401,
      ),
    () => '401',
  );
  const jwt = await log.step(
    `capture the id_token ${door} forwards`,
    () => captureJwt(proxy, capture, login.sessionToken),
    () => 'captured',
  );
  await log.step(
    'replay the captured id_token to orders-api (first use)',
    async () =>
      expectAnswer(await call(`${stack.ordersApi.url}/orders`, { headers: bearer(jwt) }), 200),
    () => '200',
  );
  await log.step(
    'replay it again',
    async () =>
      expectAnswer(
        await call(`${stack.ordersApi.url}/orders`, { headers: bearer(jwt) }),
        401,
        'auth.failure.replay',
      ),
    () => '401 auth.failure.replay',
  );
  return { sessionToken: login.sessionToken, identityId: registered.identityId };
}
