import type { AuditEmitter } from '../audit/audit-emitter.js';
import type { ValidatedTenantConfig } from '../config/tenant-config.js';
import { IamConfigurationError } from '../errors/iam-errors.js';
import { JwksKeyStore } from '../jwt/jwks-key-store.js';
import { OathkeeperJwtVerifier } from '../jwt/oathkeeper-jwt-verifier.js';
import type { ReplayCache } from '../replay/replay-cache.js';
import type { IamTelemetry } from '../telemetry/iam-telemetry.js';
import { OathkeeperHmacTransport } from './oathkeeper-hmac-transport.js';
import { OathkeeperJwtTransport } from './oathkeeper-jwt-transport.js';
import type { Transport } from './transport.js';

/** Builds a tenant's Oathkeeper transport (JWT or legacy HMAC) once, at boot. */
export function createOathkeeperTransport(
  tenant: ValidatedTenantConfig,
  deps: {
    replayCache: ReplayCache;
    audit: AuditEmitter;
    telemetry?: IamTelemetry;
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
  const upstream = deps.telemetry?.upstream(tenant.name);
  const keys = new JwksKeyStore(oathkeeper.jwks, tenant.name, deps.audit, now, upstream);
  const verifier = new OathkeeperJwtVerifier(
    tenant,
    oathkeeper,
    keys,
    deps.replayCache,
    now,
    upstream,
  );
  return new OathkeeperJwtTransport(tenant, oathkeeper, keys, verifier, now);
}
