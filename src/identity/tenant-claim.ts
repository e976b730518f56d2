import { tenantMismatchError } from '../errors/tenant-mismatch.js';

/**
 * The tenant a credential names (a JWT or HMAC claim, a Kratos identity's marker) must be the
 * request's tenant. One that names none passes only when the tenant allows it; anything else
 * throws 401 `auth.tenant_mismatch`.
 */
export function checkTenantClaim(presented: unknown, tenant: string, allowMissing: boolean): void {
  if (presented === undefined && allowMissing) return;
  if (presented !== tenant) throw tenantMismatchError(presented);
}
