import { deepFreeze } from '../common/deep-freeze.js';
import type { ValidatedTenantConfig } from '../config/tenant-config.js';
import { rolesFromClaims } from '../identity/claim-path.js';
import type { IamIdentity, IamIdentitySource } from '../identity/iam-identity.js';

function objectOrUndefined(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * The identity behind verified Oathkeeper claims; roles only from the configured claim paths.
 * Deeply frozen, nested claims included (in place: they are the verifier's own parse, so there is
 * no copy to make), because the verified-token cache hands this one object to every request that
 * resends the token: a handler that could change it would change what the next request sees.
 * `expiresAt` only from a verified `exp`: the HMAC transport's claims may carry one nobody checked.
 *
 * Built per new token, so its absent fields are never written rather than written and deleted:
 * deleting a property turns an object into a slow dictionary.
 */
export function identityFromClaims(
  tenant: ValidatedTenantConfig,
  subject: string,
  claims: Readonly<Record<string, unknown>>,
  via: IamIdentitySource,
  expiresAt?: number,
): IamIdentity {
  deepFreeze(claims);
  const metadataPublic = objectOrUndefined(claims.metadataPublic ?? claims.metadata_public);
  const identity: { -readonly [K in keyof IamIdentity]?: IamIdentity[K] } = {
    id: subject,
    kind: 'user',
    tenant: tenant.name,
    roles: rolesFromClaims(claims, tenant.claims.roles),
  };
  if (metadataPublic !== undefined) identity.metadataPublic = metadataPublic;
  identity.via = via;
  if (expiresAt !== undefined) identity.expiresAt = expiresAt;
  identity.claims = claims;
  return Object.freeze(identity as IamIdentity);
}

/**
 * The machine caller behind a verified service token (its `iss` is the tenant's `serviceIssuer`):
 * `id` is the OAuth2 client id, no roles (a role claim in the token is ignored: services are
 * authorized by client id and scope only), no `metadataPublic`. Frozen like a user's identity.
 */
export function serviceIdentityFromClaims(
  tenant: ValidatedTenantConfig,
  clientId: string,
  scope: readonly string[],
  claims: Readonly<Record<string, unknown>>,
  expiresAt: number,
): IamIdentity {
  deepFreeze(claims);
  return Object.freeze({
    id: clientId,
    kind: 'service',
    scope: Object.freeze([...scope]),
    tenant: tenant.name,
    roles: Object.freeze([]),
    via: 'oathkeeper-jwt',
    expiresAt,
    claims,
  });
}
