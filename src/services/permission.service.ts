import { Inject, Injectable } from '@nestjs/common';
import { type IamCallOptions, policyWithCallOptions } from '../ory/call-options.js';
import { KetoPermissionChecker } from '../ory/keto/keto-permission-checker.js';
import { KetoTenantPermissions, type TenantPermissions } from '../ory/keto/tenant-permissions.js';
import { OryClients } from '../ory/ory-clients.js';

/**
 * Keto for application code: `forTenant(tenant)` gives check, checkMany, grant, revoke, list and
 * expand for that tenant's Keto, with subject ids and subject sets. Outages are 503s
 * (`IamUpstreamUnavailableError`); reads are retried, writes are not.
 */
@Injectable()
export class PermissionService {
  private readonly tenants = new Map<string, TenantPermissions>();

  constructor(
    @Inject(OryClients) private readonly clients: OryClients,
    @Inject(KetoPermissionChecker) private readonly checker: KetoPermissionChecker,
  ) {}

  /**
   * The operations of one configured tenant.
   * With `options`, a view whose calls to Ory honour the caller's `signal` and `deadlineMs`
   * (see {@link IamCallOptions}); without, the tenant's shared object.
   */
  forTenant(tenant: string, options?: IamCallOptions): TenantPermissions {
    if (options !== undefined) {
      const keto = this.clients.keto(tenant);
      const policy = policyWithCallOptions(keto.policy, options);
      return new KetoTenantPermissions(tenant, { ...keto, policy }, this.checker);
    }
    let permissions = this.tenants.get(tenant);
    if (permissions === undefined) {
      permissions = new KetoTenantPermissions(tenant, this.clients.keto(tenant), this.checker);
      this.tenants.set(tenant, permissions);
    }
    return permissions;
  }
}
