import type { AuditEmitter } from '../audit/audit-emitter.js';
import type { ValidatedTenantConfig } from '../config/tenant-config.js';
import { AccessTokenVerifier } from '../jwt/access-token-verifier.js';
import { JwksKeyStore } from '../jwt/jwks-key-store.js';
import type { OryClients } from '../ory/ory-clients.js';
import type { ReplayCache } from '../replay/replay-cache.js';
import type { UpstreamGuards } from '../resilience/upstream-guards.js';
import type { SessionCacheStore } from '../session-cache/session-cache-store.js';
import type { IamTelemetry } from '../telemetry/iam-telemetry.js';
import { createKratosTransport } from './kratos-transport.js';
import { MachineTokenTransport } from './machine-token-transport.js';
import { createOathkeeperTransport } from './oathkeeper-transport.js';
import type { Transport } from './transport.js';

/** What every transport may need, built once at boot. */
export interface TransportDependencies {
  readonly replayCache: ReplayCache;
  readonly audit: AuditEmitter;
  /** Without it (tests), nothing is traced. */
  readonly telemetry?: IamTelemetry;
  readonly oryClients: OryClients;
  /** Breakers and bulkheads of the tenants' upstreams (here: Redis, for the replay cache). */
  readonly guards?: UpstreamGuards;
  /** Store of the Kratos session cache; without one, no tenant caches sessions. */
  readonly sessionCacheStore?: SessionCacheStore;
}

function createUserTransport(
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

/**
 * Builds a tenant's transport once, at boot; nothing on the request path constructs one. With
 * `oauth2` configured, machine callers' access tokens are verified in front of the user transport.
 */
export function createTransport(
  tenant: ValidatedTenantConfig,
  dependencies: TransportDependencies,
): Transport {
  const users = createUserTransport(tenant, dependencies);
  const { oauth2 } = tenant;
  if (oauth2 === undefined) return users;
  const keys = new JwksKeyStore(oauth2.jwks, tenant.name, dependencies.audit);
  const verifier = new AccessTokenVerifier(oauth2, keys);
  return new MachineTokenTransport(tenant, oauth2, keys, verifier, users);
}
