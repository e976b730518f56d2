import { Inject, Injectable } from '@nestjs/common';
import { type IamCallOptions, policyWithCallOptions } from '../ory/call-options.js';
import type { TenantFlows } from '../ory/kratos/flow-types.js';
import { kratosSessionCacheFor } from '../ory/kratos/session-cache.js';
import { KratosTenantFlows } from '../ory/kratos/tenant-flows.js';
import { OryClients } from '../ory/ory-clients.js';
import { TenantRegistry } from '../runtime/tenant-registry.js';

/**
 * Kratos self-service flows per tenant: login, registration, recovery, verification, settings and
 * logout, native (API) by default and browser flows with `{ mode: 'browser', cookie }`.
 *
 * ```ts
 * const flows = this.flowService.forTenant('default');
 * const flow = await flows.initiateLogin({ returnTo });
 * const result = await flows.submitLogin(flow.id, { identifier, password });
 * if (result.status === 'success') return { token: result.sessionToken, id: result.identity.id };
 * if (result.status === 'invalid') return result.messages;
 * ```
 *
 * Kratos' validation failures are results (`status: 'invalid'`), not exceptions; other failures
 * are HTTP exceptions with a stable `code` (`request.invalid_id` for a flow id that is not a UUID,
 * `flow.not_found`, `flow.expired`, ...), and Kratos unreachable is a 503
 * `IamUpstreamUnavailableError`. `logout` evicts the session from the session cache, like a revoke.
 */
@Injectable()
export class FlowService {
  private readonly tenants = new Map<string, TenantFlows>();

  constructor(
    @Inject(OryClients) private readonly oryClients: OryClients,
    @Inject(TenantRegistry) private readonly registry: TenantRegistry,
  ) {}

  /**
   * The flows of one configured tenant. Throws `IamConfigurationError` for a tenant that is not
   * configured or has no Kratos.
   * With `options`, a view whose calls to Ory honour the caller's `signal` and `deadlineMs`
   * (see {@link IamCallOptions}); without, the tenant's shared object.
   */
  forTenant(tenant: string, options?: IamCallOptions): TenantFlows {
    if (options !== undefined) return this.create(tenant, options);
    let flows = this.tenants.get(tenant);
    if (flows === undefined) {
      flows = this.create(tenant, undefined);
      this.tenants.set(tenant, flows);
    }
    return flows;
  }

  private create(tenant: string, options: IamCallOptions | undefined): TenantFlows {
    const config = this.oryClients.tenant(tenant);
    const clients = this.oryClients.kratos(tenant);
    return new KratosTenantFlows(
      config,
      { ...clients, policy: policyWithCallOptions(clients.policy, options ?? {}) },
      kratosSessionCacheFor(config, this.registry.sessionCacheStore),
    );
  }
}
