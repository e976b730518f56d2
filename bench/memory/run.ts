/**
 * `bench/memory`: unique jtis for a bounded time through the Oathkeeper JWT transport with the
 * default in-memory replay cache, printing heap samples: the heap must plateau once jtis expire as
 * fast as they arrive (after the hold time), not grow with traffic. Heap here is heapUsed plus
 * array buffers, where the cache keeps its jtis.
 *
 *   node --expose-gc --import tsx bench/memory/run.ts [--seconds 300] [--replay-ttl 120]
 *     [--token-ttl 60] [--skew 30] [--sample 10]
 *
 * `--replay-ttl` is `replayProtection.ttlMs` in seconds (default 120, the library's default);
 * a jti is held until max(replay TTL, min(token exp, iat + 60 s) + skew), `--skew` being
 * `clockSkewMs` in seconds (default 30, the library's), 60 s the default `maxTokenAgeMs`. A short
 * run needs short ones: `--seconds 40 --replay-ttl 5 --token-ttl 5 --skew 5` levels off after
 * 10 s. Tokens are RS256, minted as the traffic
 * goes (so the signing, not the verifier, bounds the rate). With `--expose-gc` each sample is taken
 * after a full GC, so it shows what is retained, not garbage waiting to be collected.
 */

import { performance } from 'node:perf_hooks';
import { AuditEmitter } from '../../src/audit/audit-emitter.js';
import { validateIamOptions } from '../../src/config/validate-options.js';
import { InMemoryReplayCache } from '../../src/replay/in-memory-replay-cache.js';
import type { IamRequest } from '../../src/request/iam-request.js';
import { TestSigner } from '../../src/testing/test-signer.js';
import { createOathkeeperTransport } from '../../src/transport/oathkeeper-transport.js';
import { benchClaims, benchOathkeeper } from '../support/bench-tenant.js';
import { numberOption as option } from '../support/cli.js';
import { table } from '../support/stats.js';

const SECONDS = option('seconds', 300);
const REPLAY_TTL_S = option('replay-ttl', 120);
const TOKEN_TTL_S = option('token-ttl', 60);
const SAMPLE_S = option('sample', 10);
const SKEW_S = option('skew', 30);

const signer = TestSigner.create();
const jwks = await signer.serve();
const tenant = validateIamOptions({
  tenants: {
    default: {
      mode: 'self-hosted',
      transport: 'oathkeeper',
      oathkeeper: benchOathkeeper(
        jwks.url,
        { enabled: true, ttlMs: REPLAY_TTL_S * 1_000 },
        SKEW_S * 1_000,
      ),
    },
  },
}).tenants.default;
if (tenant === undefined) throw new Error('no tenant');
const replayCache = new InMemoryReplayCache();
const transport = createOathkeeperTransport(tenant, {
  replayCache,
  audit: new AuditEmitter({ emit: () => undefined }),
});
transport.start?.();

function request(token: string): IamRequest {
  return {
    method: 'GET',
    path: '/orders',
    header: (name) => (name.toLowerCase() === 'authorization' ? `Bearer ${token}` : undefined),
    cookie: () => undefined,
    params: {},
    query: {},
    body: undefined,
    clientIp: () => '127.0.0.1',
    host: () => 'localhost',
    raw: {},
  };
}

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) console.warn('Run with node --expose-gc for samples after a full GC.');
const rows: string[][] = [];
function sample(elapsedS: number, requests: number): void {
  gc?.();
  const { heapUsed, arrayBuffers, rss } = process.memoryUsage();
  rows.push([
    elapsedS.toFixed(0),
    requests.toLocaleString('en-US'),
    replayCache.size.toLocaleString('en-US'),
    ((heapUsed + arrayBuffers) / 1_048_576).toFixed(1),
    (rss / 1_048_576).toFixed(1),
  ]);
  console.log(
    `t=${elapsedS.toFixed(0)} s  jtis held ${replayCache.size}  heap ${rows.at(-1)?.[3]} MB`,
  );
}

const start = performance.now();
let requests = 0;
let nextSample = 0;
sample(0, 0);
// In slices that yield to the event loop, as in a server (the cache's idle timer can run).
while (performance.now() - start < SECONDS * 1_000) {
  const sliceEnd = performance.now() + 50;
  while (performance.now() < sliceEnd) {
    const now = Math.floor(Date.now() / 1_000);
    const token = signer.mint(benchClaims(now + TOKEN_TTL_S));
    await transport.authenticate(request(token));
    requests += 1;
  }
  await new Promise((resolve) => setImmediate(resolve));
  const elapsedS = (performance.now() - start) / 1_000;
  if (elapsedS >= nextSample + SAMPLE_S) {
    nextSample += SAMPLE_S;
    sample(elapsedS, requests);
  }
}
const elapsedS = (performance.now() - start) / 1_000;
sample(elapsedS, requests);
transport.close?.();
replayCache.close();
await jwks.close();

console.log(
  `\n${table(['t (s)', 'requests', 'jtis held', 'heap + buffers MB', 'rss MB'], rows)}\n\n` +
    `${Math.round(requests / elapsedS)} unique tokens/s for ${elapsedS.toFixed(0)} s; replay TTL ` +
    `${REPLAY_TTL_S} s, tokens valid ${TOKEN_TTL_S} s, skew ${SKEW_S} s, Node ${process.version}. A jti is held ` +
    'until max(replay TTL, min(exp, iat + max token age) + skew) and released within a second ' +
    'after: jtis held (and the heap) should level off after that long, at about rate x hold.',
);
