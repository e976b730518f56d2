import { IamUnauthorizedError } from './iam-errors.js';

/**
 * Said when a credential names no tenant at all. "Belongs to another tenant" would send whoever
 * debugs it looking for the wrong tenant, when the fix is to add the claim or the marker.
 */
const TENANT_MISSING_MESSAGE = 'The credentials do not name a tenant: the tenant is missing.';

/**
 * 401 `auth.tenant_mismatch` for a credential whose tenant is not the request's: `presented` is
 * what the credential named, `undefined` when it named none.
 */
export function tenantMismatchError(presented: unknown): IamUnauthorizedError {
  return presented === undefined
    ? new IamUnauthorizedError('auth.tenant_mismatch', TENANT_MISSING_MESSAGE)
    : new IamUnauthorizedError('auth.tenant_mismatch');
}
