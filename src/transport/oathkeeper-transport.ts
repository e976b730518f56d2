import type { AuditEmitter } from '../audit/audit-emitter.js';
import type { ValidatedTenantConfig } from '../config/tenant-config.js';
import { IamConfigurationError } from '../errors/iam-errors.js';
import { JwksKeyStore } from '../jwt/jwks-key-store.js';
import { OathkeeperJwtVerifier } from '../jwt/oathkeeper-jwt-verifier.js';
import { RedisStore } from '../redis/redis-store.js';
import { guardReplayCache } from '../replay/guarded-replay-cache.js';
import type { ReplayCache } from '../replay/replay-cache.js';
import type { UpstreamGuards } from '../resilience/upstream-guards.js';
import { OathkeeperHmacTransport } from './oathkeeper-hmac-transport.js';
import { OathkeeperJwtTransport } from './oathkeeper-jwt-transport.js';
import type { Transport } from './transport.js';

/** Builds a tenant's Oathkeeper transport (JWT or legacy HMAC) once, at boot. */
export function createOathkeeperTransport(
  tenant: ValidatedTenantConfig,
  deps: {
    replayCache: ReplayCache;
    audit: AuditEmitter;
    guards?: UpstreamGuards;
    now?: () => number;
  },
): Transport {
  const oathkeeper = tenant.oathkeeper;
  if (oathkeeper === undefined) {
    throw new IamConfigurationError([`tenants.${tenant.name}.oathkeeper: is required`]);
  }
  if (oathkeeper.verifier === 'hmac') return new OathkeeperHmacTransport(tenant, oathkeeper);
  if (oathkeeper.jwks === undefined) {
    throw new IamConfigurationError([`tenants.${tenant.name}.oathkeeper.jwks: is required`]);
  }
  const now = deps.now ?? Date.now;
  const keys = new JwksKeyStore(oathkeeper.jwks, tenant.name, deps.audit, now);
  // Only a Redis store has an upstream to guard; the in-memory cache answers at once.
  const replayCache =
    deps.guards !== undefined &&
    oathkeeper.replayProtection.enabled &&
    deps.replayCache instanceof RedisStore
      ? guardReplayCache(deps.replayCache, deps.guards.guard(tenant.name, 'redis-replay'))
      : deps.replayCache;
  const verifier = new OathkeeperJwtVerifier(tenant, oathkeeper, keys, replayCache, now);
  return new OathkeeperJwtTransport(tenant, oathkeeper, keys, verifier, now);
}
