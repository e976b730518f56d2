import type { ValidatedTenantConfig } from './tenant-config.js';

/**
 * The groups of two or more tenants for which `keyOf` gives the same key, each in configuration
 * order; a tenant without a key is in none.
 */
export function tenantsSharing(
  tenants: Readonly<Record<string, ValidatedTenantConfig>>,
  keyOf: (tenant: ValidatedTenantConfig) => string | undefined,
): string[][] {
  const byKey = new Map<string, string[]>();
  for (const [name, tenant] of Object.entries(tenants)) {
    const key = keyOf(tenant);
    if (key !== undefined) byKey.set(key, [...(byKey.get(key) ?? []), name]);
  }
  return [...byKey.values()].filter((group) => group.length > 1);
}

/** The group's tenants other than `name`, quoted for a problem: `'acme', 'globex'`. */
export function othersIn(group: readonly string[], name: string): string {
  return group
    .filter((other) => other !== name)
    .map((other) => `'${other}'`)
    .join(', ');
}
