/**
 * The zero-trust example end to end: real Kratos, Keto and Oathkeeper on free ports, auth-bff,
 * orders-api (two instances sharing Redis) and inventory-api as separate processes. Each step is
 * printed with its outcome; a failure prints the servers' and apps' log tails. The steps build on
 * each other (one user, one session), so they run in order.
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
  startZeroTrust,
  type ZeroTrust,
} from '../../examples/zero-trust/support/zero-trust-stack.js';
import { type EchoUpstream, startEchoUpstream } from '../support/ory/echo-upstream.js';
import { freePorts } from '../support/ory/ports.js';

const redisUrl = process.env.ZERO_TRUST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('zero-trust example through the real Oathkeeper', () => {
  const log = new StepLog((line) => console.log(`[zero-trust] ${line}`));
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
      extraSessionRoutes: { [capturePath]: capture.url },
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
        `GET ${path} through Oathkeeper, apps still running since the start`,
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
