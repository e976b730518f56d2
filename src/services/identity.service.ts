import { Inject, Injectable } from '@nestjs/common';
import { type IamCallOptions, policyWithCallOptions } from '../ory/call-options.js';
import type { TenantIdentities } from '../ory/kratos/identity-types.js';
import { kratosSessionCacheFor } from '../ory/kratos/session-cache.js';
import { KratosTenantIdentities } from '../ory/kratos/tenant-identities.js';
import { OryClients } from '../ory/ory-clients.js';
import { TenantRegistry } from '../runtime/tenant-registry.js';
import { SessionService } from './session.service.js';

/**
 * Kratos identity administration per tenant, over the admin API (`kratos.adminUrl`): list, get,
 * create, update, patch, delete, batch import, activate/deactivate, and an identity's sessions.
 *
 * ```ts
 * const identities = this.identityService.forTenant('default');
 * const alice = await identities.create({ traits: { email: 'alice@example.com' } });
 * await identities.patch(alice.id, [{ op: 'add', path: '/metadataPublic/roles', value: ['admin'] }]);
 * await identities.deactivate(alice.id);
 * ```
 *
 * Ids that are not UUIDs are 400 `request.invalid_id` without a call to Kratos; unknown ids are
 * 404 `NotFoundException`s with code `identity.not_found`; Kratos unreachable is
 * a 503 `IamUpstreamUnavailableError`. Writes evict the identity's sessions from this process's
 * session cache.
 */
@Injectable()
export class IdentityService {
  private readonly tenants = new Map<string, TenantIdentities>();

  constructor(
    @Inject(OryClients) private readonly oryClients: OryClients,
    @Inject(TenantRegistry) private readonly registry: TenantRegistry,
    @Inject(SessionService) private readonly sessionService: SessionService,
  ) {}

  /**
   * The identity operations of one configured tenant. Throws `IamConfigurationError` for a tenant
   * that is not configured or has no Kratos; the operations themselves need `kratos.adminUrl`.
   * With `options`, a view whose calls to Ory honour the caller's `signal` and `deadlineMs`
   * (see {@link IamCallOptions}); without, the tenant's shared object.
   */
  forTenant(tenant: string, options?: IamCallOptions): TenantIdentities {
    if (options !== undefined) return this.create(tenant, options);
    let identities = this.tenants.get(tenant);
    if (identities === undefined) {
      identities = this.create(tenant, undefined);
      this.tenants.set(tenant, identities);
    }
    return identities;
  }

  private create(tenant: string, options: IamCallOptions | undefined): TenantIdentities {
    const config = this.oryClients.tenant(tenant);
    const clients = this.oryClients.kratos(tenant);
    return new KratosTenantIdentities(
      config,
      { ...clients, policy: policyWithCallOptions(clients.policy, options ?? {}) },
      this.sessionService.forTenant(tenant, options),
      kratosSessionCacheFor(config, this.registry.sessionCacheStore),
    );
  }
}
