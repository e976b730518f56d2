/**
 * The zero-trust example end to end: real Kratos, Keto and Oathkeeper on free ports, auth-bff,
 * orders-api (two instances sharing Redis) and inventory-api as separate processes, behind each
 * front door in turn: Oathkeeper as the proxy, then nginx asking Oathkeeper's decision API
 * (`npm run example -- --nginx`). Each step is printed with its outcome; a failure prints the
 * servers' and apps' log tails. The steps build on each other (one user, one session), so they run
 * in order.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  audienceAndExpiryChecks,
  ketoChecks,
  roleChecks,
} from '../../examples/zero-trust/support/access-checks.js';
import type { AppProcess } from '../../examples/zero-trust/support/apps.js';
import { bearer, call, expectAnswer, StepLog } from '../../examples/zero-trust/support/http.js';
import { kidOf } from '../../examples/zero-trust/support/oathkeeper-signer.js';
import {
  captureJwt,
  capturePath,
  type Login,
  smokeChecks,
} from '../../examples/zero-trust/support/walkthrough.js';
import {
  type Front,
  startZeroTrust,
  type ZeroTrust,
} from '../../examples/zero-trust/support/zero-trust-stack.js';
import { type EchoUpstream, startEchoUpstream } from '../support/ory/echo-upstream.js';
import { freePorts } from '../support/ory/ports.js';

const redisUrl = process.env.ZERO_TRUST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A public route to the capture upstream: Oathkeeper's anonymous authenticator, noop mutator. */
const publicCapturePath = '/capture-public';

const fronts: ReadonlyArray<readonly [string, Front]> = [
  ['Oathkeeper as the proxy', 'oathkeeper'],
  ["nginx asking Oathkeeper's decision API", 'nginx'],
];

describe.each(fronts)('zero-trust example through %s', (_name, front) => {
  const log = new StepLog((line) => console.log(`[zero-trust ${front}] ${line}`));
  let stack: ZeroTrust | undefined;
  let capture: EchoUpstream | undefined;
  let secondOrdersApi: AppProcess | undefined;
  let failed = false;
  const email = `alice-${Date.now()}@example.com`;
  let user: Login = { sessionToken: '', identityId: '' };

  const zt = (): ZeroTrust => {
    if (stack === undefined) throw new Error('the stack did not start; see the beforeAll error');
    return stack;
  };
  const echo = (): EchoUpstream => {
    if (capture === undefined) throw new Error('the capture upstream did not start');
    return capture;
  };
  const viaProxy = (path: string, init: Parameters<typeof call>[1] = {}) =>
    call(`${zt().proxy}${path}`, { ...init, headers: { ...bearer(user.sessionToken) } });

  beforeAll(async () => {
    capture = await startEchoUpstream();
    stack = await startZeroTrust({
      ports: 'free',
      front,
      extraSessionRoutes: { [capturePath]: capture.url },
      extraPublicRoutes: { [publicCapturePath]: capture.url },
      redisUrl,
      // A JWKS miss (the rotated key) may refetch after 1 s instead of 30 s.
      appEnv: { JWKS_COOLDOWN_MS: '1000' },
    });
    const [port] = await freePorts(1);
    secondOrdersApi = await stack.apps.start('orders-api-2', 'orders-api', Number(port), {
      ...stack.appEnv,
      REDIS_URL: redisUrl,
    });
  });

  afterEach((context) => {
    if (context.task.result?.state !== 'fail') return;
    failed = true;
    console.error(`Logs after "${context.task.name}":\n${stack?.logTails(60) ?? '(no stack)'}`);
  });

  afterAll(async () => {
    if (failed) console.error(`Steps so far:\n${log.lines.join('\n')}`);
    await stack?.stop();
    await capture?.close();
  });

  it("the walkthrough's smoke test: register, log in, Oathkeeper-only access, replay", async () => {
    user = await smokeChecks(zt(), echo(), log, email);
  });

  it('refuses a token for another audience and an expired one', async () => {
    await audienceAndExpiryChecks(zt(), log, user);
  });

  it('POST /inventory/adjust needs warehouse:admin in metadata_public and a new login', async () => {
    user = await roleChecks(zt(), log, user, email);
  });

  it('the ledger and GET /orders/:id answer 403 until a Keto tuple grants them', async () => {
    await ketoChecks(zt(), log, user);
  });

  it('a path no rule matches is 404 in both modes, never 500, and reaches no upstream', async () => {
    const before = echo().hits.length;
    // Under a prefix nginx routes, so nginx asks Oathkeeper, whose answer (404) auth_request
    // alone would turn into a 500.
    for (const path of ['/orders-archive', '/capturex', '/nowhere']) {
      await log.step(
        `GET ${path} through ${zt().door}`,
        async () => expectAnswer(await viaProxy(path), 404),
        () => '404',
      );
    }
    expect(echo().hits.length).toBe(before);
  });

  it("never lets a client's own Authorization or X-User stand in for what Oathkeeper minted", async () => {
    const forged = { 'X-User': 'forged-admin' };
    const before = echo().hits.length;
    await log.step(
      'session route with a forged X-User',
      async () =>
        expectAnswer(
          await call(`${zt().proxy}${capturePath}`, {
            headers: { ...forged, ...bearer(user.sessionToken) },
          }),
          200,
        ),
      () => '200',
    );
    await log.step(
      'public route with a forged X-User',
      async () =>
        expectAnswer(await call(`${zt().proxy}${publicCapturePath}`, { headers: forged }), 200),
      () => '200',
    );
    await log.step(
      'public route with a forged Authorization',
      async () =>
        expectAnswer(
          await call(`${zt().proxy}${publicCapturePath}`, { headers: bearer('forged') }),
          401,
        ),
      () => "401: Oathkeeper's anonymous authenticator refuses credentials",
    );
    const [session, open, ...rest] = echo().hits.slice(before);
    expect(rest).toEqual([]);
    // The minted id_token replaced the session token; X-User is the header mutator's subject.
    expect(session?.headers.authorization).toMatch(/^Bearer ey/);
    expect(session?.headers.authorization).not.toContain(user.sessionToken);
    expect(session?.headers['x-user']).toBe(user.identityId);
    expect(open?.headers.authorization).toBeUndefined();
    // nginx strips it; Oathkeeper as the proxy forwards every header on a noop route, which is why
    // the apps trust only the signed id_token (docs/deployment.md).
    expect(open?.headers['x-user']).toBe(front === 'nginx' ? undefined : 'forged-admin');
  });

  it('a new signing key and an Oathkeeper restart need no app restart', async () => {
    const { ory } = zt();
    const kid = await log.step(
      'add a signing key to the JWKS and restart Oathkeeper',
      async () => {
        const added = await ory.addSigningKey();
        await ory.restart('oathkeeper');
        return added;
      },
      (added) => `kid ${added}`,
    );
    await log.step(
      'the forwarded id_token is signed with the new key',
      async () => {
        expect(kidOf(await captureJwt(zt().proxy, echo(), user.sessionToken))).toBe(kid);
      },
      () => 'yes',
    );
    for (const path of ['/orders', '/inventory']) {
      await log.step(
        `GET ${path} through ${zt().door}, apps still running since the start`,
        async () => expectAnswer(await viaProxy(path), 200),
        () => '200',
      );
    }
  });

  it('two orders-api instances sharing Redis accept a token once between them', async () => {
    const jwt = await captureJwt(zt().proxy, echo(), user.sessionToken);
    const second = secondOrdersApi;
    if (second === undefined) throw new Error('the second orders-api did not start');
    await log.step(
      'captured id_token to orders-api instance 1',
      async () =>
        expectAnswer(await call(`${zt().ordersApi.url}/orders`, { headers: bearer(jwt) }), 200),
      () => '200',
    );
    await log.step(
      'the same id_token to orders-api instance 2',
      async () =>
        expectAnswer(
          await call(`${second.url}/orders`, { headers: bearer(jwt) }),
          401,
          'auth.failure.replay',
        ),
      () => '401 auth.failure.replay',
    );
  });
});
