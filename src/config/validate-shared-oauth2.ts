import { type ConfigProblems, childPath } from './config-problems.js';
import type { ValidatedTenantConfig } from './tenant-config.js';

/**
 * Refuses tenants that trust the same OAuth2 issuer with the same audience. Hydra's access tokens
 * carry no tenant: issuer and audience are all that tie one to its tenant, so a token one of them
 * accepts, the other would accept too, and a service client of one tenant would be a service of
 * both. Issuers are compared exactly, as a token's `iss` is, and not echoed: they are URLs.
 */
export function validateSharedOAuth2(
  tenants: Readonly<Record<string, ValidatedTenantConfig>>,
  tenantsPath: string,
  problems: ConfigProblems,
): void {
  const tenantsByTrust = new Map<string, string[]>();
  for (const [name, tenant] of Object.entries(tenants)) {
    if (tenant.oauth2 === undefined) continue;
    const key = JSON.stringify([tenant.oauth2.issuer, tenant.oauth2.audience]);
    tenantsByTrust.set(key, [...(tenantsByTrust.get(key) ?? []), name]);
  }
  for (const sharing of tenantsByTrust.values()) {
    if (sharing.length < 2) continue;
    for (const name of sharing) {
      const others = sharing
        .filter((other) => other !== name)
        .map((other) => `'${other}'`)
        .join(', ');
      problems.add(
        `${childPath(childPath(tenantsPath, name), 'oauth2')}.audience`,
        `must differ from that of tenant ${others}, which trusts the same oauth2.issuer: access tokens carry no tenant, so each would accept the other's service tokens; give each tenant its own audience`,
      );
    }
  }
}
