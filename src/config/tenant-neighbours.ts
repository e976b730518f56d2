import type { ConfigSection } from './config-section.js';

/**
 * What one tenant's defaults depend on in the other tenants' options. Read from the raw options
 * before any tenant is validated; a value of the wrong type counts for nothing here, and is
 * reported by the tenant's own validation.
 */
export interface TenantNeighbours {
  /** How many `hmac` tenants hold this secret. */
  hmacSecretHolders(secret: string): number;
}

type RawObject = Readonly<Record<string, unknown>>;

function objectOrEmpty(value: unknown): RawObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as RawObject)
    : {};
}

export function tenantNeighboursOf(tenants: ConfigSection): TenantNeighbours {
  const holders = new Map<string, number>();
  for (const name of tenants.keys()) {
    const tenant = objectOrEmpty(tenants.raw(name));
    const oathkeeper = objectOrEmpty(tenant.oathkeeper);
    const secret = oathkeeper.hmacSecret;
    if (oathkeeper.verifier === 'hmac' && typeof secret === 'string') {
      holders.set(secret, (holders.get(secret) ?? 0) + 1);
    }
  }
  return {
    hmacSecretHolders: (secret) => holders.get(secret) ?? 0,
  };
}
