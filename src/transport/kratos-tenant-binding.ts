import type { ValidatedTenantConfig } from '../config/tenant-config.js';
import { IamConfigurationError } from '../errors/iam-errors.js';
import { readClaimPath } from '../identity/claim-path.js';
import { checkTenantClaim } from '../identity/tenant-claim.js';
import type { IamSessionIdentity } from '../ory/kratos/iam-session.js';

/** Throws 401 `auth.tenant_mismatch` when a Kratos identity does not belong to the tenant. */
export type TenantBindingCheck = (identity: IamSessionIdentity) => void;

const BOUND_BY_CONFIGURATION: TenantBindingCheck = () => undefined;

/**
 * The tenant's `kratos.tenantBinding` as a check, built once at boot. The request's tenant comes
 * from the tenant resolver (possibly a header the client sets), so this is what stops a user of
 * one tenant from being a user of every tenant sharing its Kratos. `'kratos-url'` and `'none'`
 * check nothing per request: boot already refused a URL binding on a shared Kratos, and `'none'`
 * is the operator's explicit choice.
 */
export function tenantBindingCheckFor(tenant: ValidatedTenantConfig): TenantBindingCheck {
  const binding = tenant.kratos?.tenantBinding;
  if (binding === undefined) {
    throw new IamConfigurationError([
      `tenants.${tenant.name}.kratos.tenantBinding: is required for transport '${tenant.transport}'`,
    ]);
  }
  if (binding === 'kratos-url' || binding === 'none') return BOUND_BY_CONFIGURATION;
  const { name, claims } = tenant;
  return (identity) => {
    const source = { metadata_public: identity.metadataPublic, traits: identity.traits };
    checkTenantClaim(readClaimPath(source, binding), name, claims.allowMissingTenant);
  };
}
