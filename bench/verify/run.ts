/**
 * `npm run bench:verify`: the cost of verifying one Oathkeeper JWT, in one process pinned to one
 * core, all variants in one run (this machine is shared and noisy: only ratios from one run mean
 * anything). Options: `--tokens N` (per round, default 4000), `--rounds N` (default 7).
 *
 * - ours: the library's verifier (strict parse, header, claim types, cached KeyObject +
 *   crypto.verify, exp/nbf, iss/aud, tenant, in-memory replay), unique token each time;
 * - jose: jose.jwtVerify against a local JWKS imported once, the same claim checks, a jti Set;
 * - ours, replay off, a token Oathkeeper's cache resends: served by the verified-token cache;
 * - the same resent token with the guard's telemetry around it (the `iam.authenticate` span, the
 *   verification histogram, the `iam.decisions` counter) on `@opentelemetry/api` with no SDK
 *   registered, and with `telemetry.enabled: false`: the difference is what the no-op API costs
 *   per request (docs/observability.md);
 * - crypto.verify alone with a cached KeyObject: the floor no verifier can go under.
 */

import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createLocalJWKSet, type JWK, jwtVerify } from 'jose';
import { AuditEmitter } from '../../src/audit/audit-emitter.js';
import type { TenantConfig } from '../../src/config/tenant-config.js';
import { validateIamOptions } from '../../src/config/validate-options.js';
import { JwksKeyStore } from '../../src/jwt/jwks-key-store.js';
import { OathkeeperJwtVerifier } from '../../src/jwt/oathkeeper-jwt-verifier.js';
import { InMemoryReplayCache } from '../../src/replay/in-memory-replay-cache.js';
import type { IamRequest } from '../../src/request/iam-request.js';
import { IamTelemetry } from '../../src/telemetry/iam-telemetry.js';
import { otelApi } from '../../src/telemetry/otel-api.js';
import { TestSigner } from '../../src/testing/test-signer.js';
import { createOathkeeperTransport } from '../../src/transport/oathkeeper-transport.js';
import { AUDIENCE, benchClaims, benchOathkeeper, ISSUER } from '../support/bench-tenant.js';
import { numberOption as option, pinToCore } from '../support/cli.js';
import { median, spread, table } from '../support/stats.js';

// One core, so that the numbers are per-core costs.
pinToCore(1);

const TOKENS = option('tokens', 4_000);
const ROUNDS = option('rounds', 7);

const signer = TestSigner.create();
const jwksServer = await signer.serve();
const silentAudit = new AuditEmitter({ emit: () => undefined });

function tenant(replay: boolean) {
  const config: TenantConfig = {
    mode: 'self-hosted',
    transport: 'oathkeeper',
    oathkeeper: benchOathkeeper(jwksServer.url, { enabled: replay }),
  };
  const validated = validateIamOptions({ tenants: { default: config } }).tenants.default;
  if (validated === undefined) throw new Error('no tenant');
  return validated;
}

console.log(`Minting ${TOKENS} RS256 tokens...`);
const tokens = Array.from({ length: TOKENS }, () => signer.mint(benchClaims()));

// jose, as a guard built on it would: the JWKS imported once, jwtVerify per token, a jti Set.
const joseKeys = createLocalJWKSet(signer.jwks() as { keys: JWK[] });
async function joseVerify(token: string, seen: Set<string>): Promise<void> {
  const { payload } = await jwtVerify(token, joseKeys, {
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ['RS256'],
    clockTolerance: 30,
    requiredClaims: ['exp', 'jti', 'sub'],
  });
  if (payload.tenant !== 'default') throw new Error('tenant');
  const jti = String(payload.jti);
  if (seen.has(jti)) throw new Error('replay');
  seen.add(jti);
}

async function ourVerifier(replay: boolean) {
  const validated = tenant(replay);
  const oathkeeper = validated.oathkeeper;
  if (oathkeeper?.jwks === undefined) throw new Error('no jwks');
  const keys = new JwksKeyStore(oathkeeper.jwks, 'default', silentAudit);
  await keys.refresh();
  return (cache: InMemoryReplayCache) =>
    new OathkeeperJwtVerifier(validated, oathkeeper, keys, cache);
}

function requestWith(authorization: string): IamRequest {
  return {
    method: 'GET',
    path: '/orders',
    header: (name) => (name.toLowerCase() === 'authorization' ? authorization : undefined),
    cookie: () => undefined,
    params: {},
    query: {},
    body: undefined,
    clientIp: () => '127.0.0.1',
    host: () => 'localhost',
    raw: {},
  };
}

const verifierFor = await ourVerifier(true);
const cachedTransport = createOathkeeperTransport(tenant(false), {
  replayCache: new InMemoryReplayCache(),
  audit: silentAudit,
});
cachedTransport.start?.();
const reused = requestWith(`Bearer ${tokens[0]}`);
await cachedTransport.authenticate(reused);

// What SessionGuard does around the transport, on the API's no-ops or with telemetry off.
function guardTelemetry(enabled: boolean): () => Promise<void> {
  if (otelApi === undefined) throw new Error('@opentelemetry/api is not installed');
  const telemetry = new IamTelemetry({
    tenants: { default: tenant(false) },
    telemetry: { enabled, recordSubject: true },
  });
  return async () =>
    telemetry.authenticate('default', async (span) => {
      const identity = await cachedTransport.authenticate(reused);
      if (identity !== undefined) span.subject(identity.id);
      telemetry.count({ tenant: 'default', decision: 'authenticate', outcome: 'allow' });
    });
}
const withNoopTelemetry = guardTelemetry(true);
const withTelemetryOff = guardTelemetry(false);

/**
 * The no-op cost is far smaller than this shared machine's drift between rounds, so it is measured
 * on pairs: a batch of each telemetry variant back to back, in alternating order, and the median of
 * the per-request differences.
 */
async function pairedTelemetryCost(pairs = 300, batch = 2_000): Promise<number> {
  const timed = async (run: () => Promise<void>): Promise<number> => {
    const start = performance.now();
    for (let i = 0; i < batch; i += 1) await run();
    return ((performance.now() - start) * 1e6) / batch;
  };
  const differences: number[] = [];
  for (let pair = 0; pair < pairs; pair += 1) {
    if (pair % 2 === 0) {
      const on = await timed(withNoopTelemetry);
      differences.push(on - (await timed(withTelemetryOff)));
    } else {
      const off = await timed(withTelemetryOff);
      differences.push((await timed(withNoopTelemetry)) - off);
    }
  }
  return median(differences);
}

const [headerPart, payloadPart, signaturePart] = (tokens[0] ?? '').split('.');
const rawInput = Buffer.from(`${headerPart}.${payloadPart}`);
const rawSignature = Buffer.from(signaturePart ?? '', 'base64url');
const rawKey = createPublicKey({ key: signer.jwks().keys[0] as JWK, format: 'jwk' });

type Variant = { name: string; run: () => Promise<void> };
const variants: Variant[] = [
  {
    name: 'ours (signature + claims + in-memory replay)',
    run: async () => {
      const verifier = verifierFor(new InMemoryReplayCache());
      for (const token of tokens) await verifier.verify(token);
    },
  },
  {
    name: 'jose.jwtVerify + jti Set',
    run: async () => {
      const seen = new Set<string>();
      for (const token of tokens) await joseVerify(token, seen);
    },
  },
  {
    name: 'ours, replay off, token resent by Oathkeeper’s cache',
    run: async () => {
      for (let i = 0; i < TOKENS; i += 1) await cachedTransport.authenticate(reused);
    },
  },
  {
    name: 'same, in the guard’s telemetry: API, no SDK',
    run: async () => {
      for (let i = 0; i < TOKENS; i += 1) await withNoopTelemetry();
    },
  },
  {
    name: 'same, in the guard’s telemetry: enabled false',
    run: async () => {
      for (let i = 0; i < TOKENS; i += 1) await withTelemetryOff();
    },
  },
  {
    name: 'crypto.verify alone (cached KeyObject)',
    run: async () => {
      for (let i = 0; i < TOKENS; i += 1) cryptoVerify('sha256', rawInput, rawKey, rawSignature);
    },
  },
];

const samples = new Map<string, number[]>(variants.map((variant) => [variant.name, []]));
for (const variant of variants) await variant.run(); // warm-up, not measured
for (let round = 0; round < ROUNDS; round += 1) {
  // Rotate the order each round so that drift in the machine's load spreads over every variant.
  for (let i = 0; i < variants.length; i += 1) {
    const variant = variants[(round + i) % variants.length] as Variant;
    const start = performance.now();
    await variant.run();
    samples.get(variant.name)?.push(((performance.now() - start) * 1_000) / TOKENS);
  }
}

const ours = median(samples.get(variants[0]?.name ?? '') ?? []);
const jose = median(samples.get(variants[1]?.name ?? '') ?? []);
console.log(
  table(
    ['variant', 'us/token (median)', 'spread', 'tokens/s', 'vs jose'],
    variants.map((variant) => {
      const values = samples.get(variant.name) ?? [];
      const us = median(values);
      return [
        variant.name,
        us.toFixed(1),
        spread(values),
        Math.round(1e6 / us).toLocaleString('en-US'),
        `${(jose / us).toFixed(2)}x`,
      ];
    }),
  ),
);
console.log(
  `\nTelemetry on the API with no SDK: ${(await pairedTelemetryCost()).toFixed(0)} ns per ` +
    'request (median over back-to-back pairs of the two telemetry variants).',
);
console.log(
  `\nNode ${process.version}, ${ROUNDS} rounds x ${TOKENS} tokens, one core. ` +
    `Our verifier: ${(jose / ours).toFixed(2)}x jose's throughput (target: at least 2.5x).`,
);
cachedTransport.close?.();
await jwksServer.close();
