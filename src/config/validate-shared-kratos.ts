import { type ConfigProblems, childPath } from './config-problems.js';
import { KRATOS_TRANSPORTS } from './defaults.js';
import type { ValidatedTenantConfig } from './tenant-config.js';

/** One spelling per Kratos: host case and a default port do not make another server. */
function sameKratosKey(publicUrl: string): string {
  return new URL(publicUrl).href;
}

/**
 * Refuses `tenantBinding: 'kratos-url'` on a tenant whose Kratos public URL another tenant asking
 * Kratos also uses: that URL cannot tell their identities apart, so each would accept the other's.
 * `'none'` is the explicit way to accept that. URLs are not echoed: they can carry credentials.
 */
export function validateSharedKratos(
  tenants: Readonly<Record<string, ValidatedTenantConfig>>,
  tenantsPath: string,
  problems: ConfigProblems,
): void {
  const tenantsByKratos = new Map<string, string[]>();
  for (const [name, tenant] of Object.entries(tenants)) {
    if (tenant.kratos === undefined || !KRATOS_TRANSPORTS.includes(tenant.transport)) continue;
    const key = sameKratosKey(tenant.kratos.publicUrl);
    tenantsByKratos.set(key, [...(tenantsByKratos.get(key) ?? []), name]);
  }
  for (const sharing of tenantsByKratos.values()) {
    if (sharing.length < 2) continue;
    for (const name of sharing) {
      if (tenants[name]?.kratos?.tenantBinding !== 'kratos-url') continue;
      const others = sharing
        .filter((other) => other !== name)
        .map((other) => `'${other}'`)
        .join(', ');
      problems.add(
        `${childPath(childPath(tenantsPath, name), 'kratos')}.tenantBinding`,
        `is 'kratos-url', but tenant ${others} uses the same Kratos (kratos.publicUrl), so the URL cannot tell their identities apart and each would accept the other's; bind by 'metadata_public.tenant' (or another metadata_public or traits path), or set 'none' to accept every identity of this Kratos on purpose`,
      );
    }
  }
}
