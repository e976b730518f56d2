/**
 * The checks after the walkthrough's smoke test (section 8's table), shared by `run.ts --smoke`
 * and the e2e test: audience and expiry, the role gate, and the Keto-guarded routes.
 */
import { bearer, call, expectAnswer, type StepLog } from './http.js';
import { signAsOathkeeper } from './oathkeeper-signer.js';
import { demoPassword, type Login, loginViaBff } from './walkthrough.js';
import type { ZeroTrust } from './zero-trust-stack.js';

const viaProxy = (stack: ZeroTrust, user: Login, path: string, init: Parameters<typeof call>[1]) =>
  call(`${stack.proxy}${path}`, { ...init, headers: bearer(user.sessionToken) });

/** Tokens for another audience and already expired, straight to orders-api: both 401. */
export async function audienceAndExpiryChecks(stack: ZeroTrust, log: StepLog, user: Login) {
  const { ory, ordersApi } = stack;
  const issuer = String(ory.urls.issuer);
  const refused = [
    {
      name: 'JWT for inventory-api sent to orders-api',
      aud: ['inventory-api'],
      expiresIn: 60,
      code: 'auth.failure.audience_mismatch',
    },
    {
      name: 'JWT that expired 5 minutes ago',
      aud: ['orders-api'],
      expiresIn: -300,
      code: 'auth.failure.expired',
    },
  ];
  for (const token of refused) {
    const jwt = await signAsOathkeeper(ory.runDir, issuer, {
      aud: token.aud,
      sub: user.identityId,
      expiresIn: token.expiresIn,
    });
    await log.step(
      token.name,
      async () =>
        expectAnswer(
          await call(`${ordersApi.url}/orders`, { headers: bearer(jwt) }),
          401,
          token.code,
        ),
      () => `401 ${token.code}`,
    );
  }
}

/**
 * `POST /inventory/adjust` is 403 without `warehouse:admin`, 201 once it is in the identity's
 * `metadata_public` and the user logged in again. Resolves with the new login.
 */
export async function roleChecks(
  stack: ZeroTrust,
  log: StepLog,
  user: Login,
  email: string,
): Promise<Login> {
  const adjust = { method: 'POST', json: { sku: 'sku-1', delta: 5 } };
  await log.step(
    'adjust stock without the role',
    async () =>
      expectAnswer(
        await viaProxy(stack, user, '/inventory/adjust', adjust),
        403,
        'authz.role.deny',
      ),
    () => '403 authz.role.deny',
  );
  await log.step(
    'grant warehouse:admin in Kratos metadata_public (admin API)',
    async () =>
      expectAnswer(
        await call(`${stack.kratosAdmin}/admin/identities/${user.identityId}`, {
          method: 'PATCH',
          json: [{ op: 'add', path: '/metadata_public', value: { roles: ['warehouse:admin'] } }],
        }),
        200,
      ),
    () => 'granted',
  );
  const relogged = await log.step(
    'log in again through auth-bff',
    async () => ({
      ...(await loginViaBff(stack.proxy, email, demoPassword)),
      identityId: user.identityId,
    }),
    () => 'new session token',
  );
  await log.step(
    'adjust stock with the role',
    async () => expectAnswer(await viaProxy(stack, relogged, '/inventory/adjust', adjust), 201),
    () => '201',
  );
  return relogged;
}

/** The ledger and `GET /orders/:id` answer 403 until a Keto tuple grants them, then 200. */
export async function ketoChecks(stack: ZeroTrust, log: StepLog, user: Login) {
  const grants = [
    { path: '/inventory/sku-1/ledger', namespace: 'listings', object: 'inventory:sku-1' },
    { path: '/orders/o-1', namespace: 'orders', object: 'orders:o-1' },
  ];
  for (const grant of grants) {
    await log.step(
      `GET ${grant.path} without a tuple`,
      async () =>
        expectAnswer(await viaProxy(stack, user, grant.path, {}), 403, 'authz.permission.deny'),
      () => '403 authz.permission.deny',
    );
    await log.step(
      `write ${grant.namespace}:${grant.object}#view@<user> to Keto`,
      async () =>
        expectAnswer(
          await call(`${stack.ketoWrite}/admin/relation-tuples`, {
            method: 'PUT',
            json: {
              namespace: grant.namespace,
              object: grant.object,
              relation: 'view',
              subject_id: user.identityId,
            },
          }),
          201,
        ),
      () => '201',
    );
    await log.step(
      `GET ${grant.path} with the tuple`,
      async () => expectAnswer(await viaProxy(stack, user, grant.path, {}), 200),
      () => '200',
    );
  }
}
