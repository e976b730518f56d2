import { type ConfigProblems, childPath } from './config-problems.js';
import type { ValidatedTenantConfig } from './tenant-config.js';
import { othersIn, tenantsSharing } from './tenants-sharing.js';

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
  const sharingTrust = tenantsSharing(tenants, ({ oauth2 }) =>
    oauth2 === undefined ? undefined : JSON.stringify([oauth2.issuer, oauth2.audience]),
  );
  for (const sharing of sharingTrust) {
    for (const name of sharing) {
      problems.add(
        `${childPath(childPath(tenantsPath, name), 'oauth2')}.audience`,
        `must differ from that of tenant ${othersIn(sharing, name)}, which trusts the same oauth2.issuer: access tokens carry no tenant, so each would accept the other's service tokens; give each tenant its own audience`,
      );
    }
  }
}
