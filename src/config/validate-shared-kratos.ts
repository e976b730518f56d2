import { type ConfigProblems, childPath } from './config-problems.js';
import { KRATOS_TRANSPORTS } from './defaults.js';
import type { ValidatedTenantConfig } from './tenant-config.js';
import { othersIn, tenantsSharing } from './tenants-sharing.js';

/** One spelling per Kratos: host case and a default port do not make another server. */
function sameKratosKey(publicUrl: string): string {
  return new URL(publicUrl).href;
}

/**
 * Refuses `tenantBinding: 'kratos-url'` (set, or the default when absent) on a tenant whose Kratos
 * public URL another tenant asking Kratos also uses: that URL cannot tell their identities apart,
 * so each would accept the other's. Tenants sharing a Kratos must say how an identity shows its
 * tenant, or set `'none'` to accept that on purpose. URLs are not echoed: they can carry
 * credentials.
 */
export function validateSharedKratos(
  tenants: Readonly<Record<string, ValidatedTenantConfig>>,
  tenantsPath: string,
  problems: ConfigProblems,
): void {
  const sharingKratos = tenantsSharing(tenants, (tenant) =>
    tenant.kratos !== undefined && KRATOS_TRANSPORTS.includes(tenant.transport)
      ? sameKratosKey(tenant.kratos.publicUrl)
      : undefined,
  );
  for (const sharing of sharingKratos) {
    for (const name of sharing) {
      if (tenants[name]?.kratos?.tenantBinding !== 'kratos-url') continue;
      problems.add(
        `${childPath(childPath(tenantsPath, name), 'kratos')}.tenantBinding`,
        `is required as an identity path: tenant ${othersIn(sharing, name)} uses the same Kratos (kratos.publicUrl), whose URL cannot tell their identities apart, so each would accept the other's; set 'metadata_public.tenant' (or another metadata_public or traits path), or 'none' to accept every identity of this Kratos on purpose`,
      );
    }
  }
}
