import type { AuditEmitter } from '../audit/audit-emitter.js';
import type { ValidatedTenantConfig } from '../config/tenant-config.js';
import type { OryClients } from '../ory/ory-clients.js';
import type { ReplayCache } from '../replay/replay-cache.js';
import type { UpstreamGuards } from '../resilience/upstream-guards.js';
import type { SessionCacheStore } from '../session-cache/session-cache-store.js';
import { createKratosTransport } from './kratos-transport.js';
import { createOathkeeperTransport } from './oathkeeper-transport.js';
import type { Transport } from './transport.js';

/** What every transport may need, built once at boot. */
export interface TransportDependencies {
  readonly replayCache: ReplayCache;
  readonly audit: AuditEmitter;
  readonly oryClients: OryClients;
  /** Breakers and bulkheads of the tenants' upstreams (here: Redis, for the replay cache). */
  readonly guards?: UpstreamGuards;
  /** Store of the Kratos session cache; without one, no tenant caches sessions. */
  readonly sessionCacheStore?: SessionCacheStore;
}

/** Builds a tenant's transport once, at boot; nothing on the request path constructs one. */
export function createTransport(
  tenant: ValidatedTenantConfig,
  dependencies: TransportDependencies,
): Transport {
  switch (tenant.transport) {
    case 'oathkeeper':
      return createOathkeeperTransport(tenant, dependencies);
    default:
      return createKratosTransport(tenant, dependencies);
  }
}
