import { Inject, Injectable } from '@nestjs/common';
import { type IamCallOptions, policyWithCallOptions } from '../ory/call-options.js';
import type { TenantSessions } from '../ory/kratos/iam-session.js';
import { kratosSessionCacheFor } from '../ory/kratos/session-cache.js';
import { KratosTenantSessions } from '../ory/kratos/tenant-sessions.js';
import { OryClients } from '../ory/ory-clients.js';
import { TenantRegistry } from '../runtime/tenant-registry.js';

/**
 * Kratos sessions per tenant: `whoami` for the caller's own session, and the admin operations
 * (`list`, `revoke`, `revokeAllForIdentity`, `extend`, which need `kratos.adminUrl`).
 *
 * ```ts
 * const sessions = this.sessionService.forTenant('default');
 * const me = await sessions.whoami(request);
 * await sessions.revoke(me.id);
 * ```
 *
 * Revokes evict the session cache of this process; other processes keep a revoked session until
 * their cache entry expires (`kratos.sessionCache.ttlMs`). Ids that are not UUIDs are 400
 * `request.invalid_id` without a call to Kratos; unknown ids are `NotFoundException`s (404
 * `session.not_found` / `identity.not_found`), never a success.
 */
@Injectable()
export class SessionService {
  private readonly tenants = new Map<string, TenantSessions>();

  constructor(
    @Inject(OryClients) private readonly oryClients: OryClients,
    @Inject(TenantRegistry) private readonly registry: TenantRegistry,
  ) {}

  /**
   * The session operations of one configured tenant. Throws `IamConfigurationError` for a tenant
   * that is not configured or has no Kratos.
   * With `options`, a view whose calls to Ory honour the caller's `signal` and `deadlineMs`
   * (see {@link IamCallOptions}); without, the tenant's shared object.
   */
  forTenant(tenant: string, options?: IamCallOptions): TenantSessions {
    if (options !== undefined) return this.create(tenant, options);
    let sessions = this.tenants.get(tenant);
    if (sessions === undefined) {
      sessions = this.create(tenant, undefined);
      this.tenants.set(tenant, sessions);
    }
    return sessions;
  }

  private create(tenant: string, options: IamCallOptions | undefined): TenantSessions {
    const config = this.oryClients.tenant(tenant);
    const clients = this.oryClients.kratos(tenant);
    return new KratosTenantSessions(
      config,
      { ...clients, policy: policyWithCallOptions(clients.policy, options ?? {}) },
      kratosSessionCacheFor(config, this.registry.sessionCacheStore),
    );
  }
}
