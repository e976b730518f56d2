import { Inject, Injectable } from '@nestjs/common';
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

  forTenant(tenant: string): TenantPermissions {
    let permissions = this.tenants.get(tenant);
    if (permissions === undefined) {
      permissions = new KetoTenantPermissions(tenant, this.clients.keto(tenant), this.checker);
      this.tenants.set(tenant, permissions);
    }
    return permissions;
  }
}
