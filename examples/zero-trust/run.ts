/**
 * `npm run example`: the zero-trust example on this machine. Kratos, Keto, Hydra and Oathkeeper
 * from the locally built binaries (scripts/ory/install) on their standard ports, auth-bff,
 * orders-api and inventory-api as separate processes on 3000-3002. Ctrl-C stops everything.
 *
 * `--smoke`: runs the walkthrough's smoke test, the checks of its section 8 (audience, expiry,
 * role, Keto) and the service-to-service call (orders-api reserving stock on inventory-api as
 * itself, through the front door) instead, then stops; exits 1 when one fails.
 *
 * `--otel`: every app exports metrics on a Prometheus `/metrics` port (9464-9466) and traces to
 * the console (its log) or to `OTEL_EXPORTER_OTLP_ENDPOINT` when set.
 *
 * `--nginx`: nginx on 8080 (config/nginx.conf) is the front door instead of Oathkeeper's proxy,
 * asking Oathkeeper's decision API about every request; combines with `--smoke` and `--otel`.
 */
import { startEchoUpstream } from '../../test/support/ory/echo-upstream.js';
import { audienceAndExpiryChecks, ketoChecks, roleChecks } from './support/access-checks.js';
import { StepLog } from './support/http.js';
import { serviceCallChecks } from './support/service-call.js';
import { capturePath, demoPassword, smokeChecks } from './support/walkthrough.js';
import { startZeroTrust, type ZeroTrust } from './support/zero-trust-stack.js';

const smoke = process.argv.includes('--smoke');
const otel = process.argv.includes('--otel');
const front = process.argv.includes('--nginx') ? 'nginx' : 'oathkeeper';

function metricsLines(stack: ZeroTrust): string {
  const metrics = stack.metrics;
  if (metrics === undefined) return '';
  const traces = process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? "each app's log (console exporter)";
  return `
# 8. Metrics (Prometheus format) and traces
curl -sS ${metrics.authBff} | grep '^iam_'
curl -sS ${metrics.ordersApi} | grep '^iam_'
curl -sS ${metrics.inventoryApi} | grep '^iam_'
# Traces go to ${traces}.
`;
}

function curlSequence(stack: ZeroTrust): string {
  const { proxy, door } = stack;
  return `
# 1. Register (native flow through ${door} -> auth-bff -> Kratos)
FLOW_ID=$(curl -sS ${proxy}/auth/registration | jq -r .id)
SESSION=$(curl -sS -X POST ${proxy}/auth/registration/$FLOW_ID -H 'Content-Type: application/json' \\
  -d '{"method":"password","password":"${demoPassword}","traits":{"email":"alice@example.com"}}' \\
  | jq -r .sessionToken)

# 2. Through ${door}: a signed id_token reaches orders-api -> 200 with your identity id
curl -sS ${proxy}/orders -H "Authorization: Bearer $SESSION"; echo

# 3. Straight to orders-api, bypassing ${door} -> 401
curl -sS -i ${stack.ordersApi.url}/orders -H "Authorization: Bearer $SESSION"; echo

# 4. Role-gated: 403 authz.role.deny until metadata_public.roles has warehouse:admin
curl -sS -X POST ${proxy}/inventory/adjust -H "Authorization: Bearer $SESSION" \\
  -H 'Content-Type: application/json' -d '{"sku":"sku-1","delta":5}'; echo
IDENTITY=$(curl -sS ${stack.ory.urls.kratosPublic}/sessions/whoami -H "X-Session-Token: $SESSION" | jq -r .identity.id)
curl -sS -X PATCH ${stack.kratosAdmin}/admin/identities/$IDENTITY -H 'Content-Type: application/json' \\
  -d '[{"op":"add","path":"/metadata_public","value":{"roles":["warehouse:admin"]}}]' > /dev/null
curl -sS -X POST ${proxy}/inventory/adjust -H "Authorization: Bearer $SESSION" \\
  -H 'Content-Type: application/json' -d '{"sku":"sku-1","delta":5}'; echo

# 5. Keto-guarded ledger: 403 until a relation tuple grants it
curl -sS ${proxy}/inventory/sku-1/ledger -H "Authorization: Bearer $SESSION"; echo
curl -sS -X PUT ${stack.ketoWrite}/admin/relation-tuples -H 'Content-Type: application/json' \\
  -d "{\\"namespace\\":\\"listings\\",\\"object\\":\\"inventory:sku-1\\",\\"relation\\":\\"view\\",\\"subject_id\\":\\"$IDENTITY\\"}"; echo
curl -sS ${proxy}/inventory/sku-1/ledger -H "Authorization: Bearer $SESSION"; echo

# 6. Place an order: orders-api reserves the stock on inventory-api as the OAuth2 client orders-api
#    (a Hydra token from ServiceTokens), through ${door}: Oathkeeper introspects it at Hydra and
#    mints inventory-api's JWT. The stock of sku-1 goes down by 2, once.
curl -sS -X POST ${proxy}/orders -H "Authorization: Bearer $SESSION" \
  -H 'Content-Type: application/json' -d '{"sku":"sku-1","quantity":2}'; echo
curl -sS ${proxy}/inventory -H "Authorization: Bearer $SESSION"; echo

# 7. A user cannot reserve: 401 at ${door} (a session token is no Hydra access token)
curl -sS -i -X POST ${proxy}/inventory/reserve -H "Authorization: Bearer $SESSION" \
  -H 'Content-Type: application/json' -d '{"sku":"sku-1","quantity":1}'; echo
`;
}

async function main(): Promise<number> {
  const capture = smoke ? await startEchoUpstream() : undefined;
  console.log(
    `Starting Kratos, Keto, Hydra, Oathkeeper${front === 'nginx' ? ', nginx' : ''} and the three apps...`,
  );
  const stack = await startZeroTrust({
    ports: 'standard',
    front,
    otel,
    recordInventoryCalls: smoke,
    ...(capture && { extraSessionRoutes: { [capturePath]: capture.url } }),
    ...(process.env.REDIS_URL !== undefined && { redisUrl: process.env.REDIS_URL }),
  });
  const stopAll = async () => {
    await stack.stop();
    await capture?.close();
  };
  if (capture !== undefined) {
    try {
      const log = new StepLog();
      const email = `alice-${Date.now()}@example.com`;
      const user = await smokeChecks(stack, capture, log, email);
      await audienceAndExpiryChecks(stack, log, user);
      const admin = await roleChecks(stack, log, user, email);
      await ketoChecks(stack, log, admin);
      await serviceCallChecks(stack, log, admin);
      console.log('\nSmoke checks passed.');
      return 0;
    } catch {
      console.error(`\nSmoke checks failed. Logs:\n${stack.logTails()}`);
      return 1;
    } finally {
      await stopAll();
    }
  }
  const urls = stack.ory.urls;
  const door =
    stack.nginx === undefined
      ? `Oathkeeper proxy  ${stack.proxy}      (the only door: /auth, /orders, /inventory)`
      : `nginx             ${stack.proxy}      (the only door: /auth, /orders, /inventory; config ${stack.nginx.runDir}/nginx.conf)`;
  const api =
    stack.nginx === undefined
      ? `${urls.oathkeeperApi}      (JWKS: ${urls.jwksUrl})`
      : `${urls.oathkeeperApi}      (/decisions for nginx; JWKS: ${urls.jwksUrl})`;
  console.log(`
${door}
Oathkeeper API    ${api}
Kratos            ${urls.kratosPublic} public, ${urls.kratosAdmin} admin
Keto              ${urls.ketoRead} read, ${urls.ketoWrite} write
Hydra             ${urls.hydraPublic} public, ${urls.hydraAdmin} admin (client orders-api registered)
auth-bff          ${stack.authBff.url}
orders-api        ${stack.ordersApi.url}
inventory-api     ${stack.inventoryApi.url}
Logs              ${stack.ory.runDir}
${curlSequence(stack)}${metricsLines(stack)}
Ctrl-C stops everything.`);
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
  });
  console.log('\nStopping...');
  await stopAll();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
