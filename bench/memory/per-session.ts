/**
 * `bench/memory/per-session.ts`: bytes per cached Kratos session in the default in-memory session
 * store, as the transports cache them (the session as Kratos' whoami returns it, mapped,
 * serialized, with its three eviction tags), after a full GC.
 *
 *   node --expose-gc --import tsx bench/memory/per-session.ts [--sessions 10000] [--traits-bytes 200]
 *
 * `--traits-bytes` pads the identity's traits (an email and a name here) to model a heavier
 * schema; a Redis store keeps the same serialized value per session outside the process.
 */

import { randomUUID } from 'node:crypto';
import { validateIamOptions } from '../../src/config/validate-options.js';
import { KratosSessionCache } from '../../src/ory/kratos/session-cache.js';
import { sessionFromKratos } from '../../src/ory/kratos/session-mapping.js';
import { InMemorySessionStore } from '../../src/session-cache/in-memory-session-store.js';
import { numberOption } from '../support/cli.js';
import { table } from '../support/stats.js';

const SESSIONS = numberOption('sessions', 10_000);
const TRAITS_BYTES = numberOption('traits-bytes', 200);

async function retainedBytes(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  gc();
  await new Promise((resolve) => setTimeout(resolve, 200));
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

const tenant = validateIamOptions({
  tenants: {
    default: {
      transport: 'cookie',
      kratos: { publicUrl: 'http://127.0.0.1:4433', sessionCache: { enabled: true } },
    },
  },
}).tenants.default;
if (tenant === undefined) throw new Error('no tenant');

/** A whoami answer of the shape Kratos v1.3 returns, with fresh ids, parsed as from the wire. */
function whoami(): unknown {
  return JSON.parse(
    JSON.stringify({
      id: randomUUID(),
      active: true,
      expires_at: new Date(Date.now() + 3_600_000).toISOString(),
      authenticated_at: new Date().toISOString(),
      issued_at: new Date().toISOString(),
      authenticator_assurance_level: 'aal1',
      identity: {
        id: randomUUID(),
        schema_id: 'default',
        state: 'active',
        traits: {
          email: `${randomUUID()}@example.test`,
          name: 'x'.repeat(Math.max(0, TRAITS_BYTES - 50)),
        },
        metadata_public: { roles: ['editor'], tenant: 'default' },
      },
    }),
  );
}

const store = new InMemorySessionStore({ maxEntries: SESSIONS });
const cache = new KratosSessionCache(store, 'default', 600_000);
const before = await retainedBytes();
for (let i = 0; i < SESSIONS; i += 1) {
  const session = sessionFromKratos(tenant, whoami());
  await cache.put({ kind: 'cookie', value: randomUUID() }, session, await cache.generation());
}
const bytes = ((await retainedBytes()) - before) / SESSIONS;
if (store.size !== SESSIONS) throw new Error(`cached ${store.size} of ${SESSIONS}`);
console.log(
  table(
    ['sessions', 'traits bytes', 'bytes per cached session', 'MB for 10,000 (the default bound)'],
    [
      [
        SESSIONS.toLocaleString('en'),
        String(TRAITS_BYTES),
        bytes.toFixed(0),
        ((bytes * 10_000) / 1_048_576).toFixed(1),
      ],
    ],
  ),
);
