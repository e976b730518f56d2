import type { ValidatedTenantConfig } from '../config/tenant-config.js';
import { rolesFromClaims } from '../identity/claim-path.js';
import type { IamIdentity, IamIdentitySource } from '../identity/iam-identity.js';

function objectOrUndefined(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** The identity behind verified Oathkeeper claims; roles only from the configured claim paths. */
export function identityFromClaims(
  tenant: ValidatedTenantConfig,
  subject: string,
  claims: Readonly<Record<string, unknown>>,
  via: IamIdentitySource,
): IamIdentity {
  return Object.freeze({
    id: subject,
    tenant: tenant.name,
    roles: rolesFromClaims(claims, tenant.claims.roles),
    metadataPublic: objectOrUndefined(claims.metadataPublic ?? claims.metadata_public),
    via,
    claims: Object.freeze({ ...claims }),
  });
}
