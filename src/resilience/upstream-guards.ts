import { Inject, Injectable } from '@nestjs/common';
import type { AuditEmitter } from '../audit/audit-emitter.js';
import type { IamAuditEventName } from '../audit/audit-event.js';
import { IAM_VALIDATED_OPTIONS } from '../config/injection-tokens.js';
import type { ValidatedIamOptions } from '../config/module-options.js';
import type { ValidatedTenantConfig } from '../config/tenant-config.js';
import { IamConfigurationError } from '../errors/iam-errors.js';
import type { Upstream } from './upstream.js';
import {
  type BreakerStateChange,
  UpstreamGuard,
  type UpstreamGuardStatus,
} from './upstream-guard.js';

const EVENT_NAMES: Readonly<Record<BreakerStateChange['state'], IamAuditEventName>> = {
  open: 'upstream.breaker.opened',
  'half-open': 'upstream.breaker.half_opened',
  closed: 'upstream.breaker.closed',
};

/**
 * One {@link UpstreamGuard} per tenant and upstream, built on first use from the tenant's `http`
 * options and kept for the life of the module, so every caller of an upstream shares its breaker
 * and bulkhead. State changes become audit events once the module has its audit emitter.
 */
@Injectable()
export class UpstreamGuards {
  private readonly guards = new Map<string, Map<Upstream, UpstreamGuard>>();
  private audit: AuditEmitter | undefined;

  constructor(@Inject(IAM_VALIDATED_OPTIONS) private readonly options: ValidatedIamOptions) {}

  /** Called once the module's audit emitter exists; changes before that are not reported. */
  reportTo(audit: AuditEmitter): void {
    this.audit = audit;
  }

  guard(tenant: string, upstream: Upstream): UpstreamGuard {
    let ofTenant = this.guards.get(tenant);
    if (ofTenant === undefined) {
      ofTenant = new Map();
      this.guards.set(tenant, ofTenant);
    }
    let guard = ofTenant.get(upstream);
    if (guard === undefined) {
      if (!Object.hasOwn(this.options.tenants, tenant)) {
        throw new IamConfigurationError([`tenant "${tenant}" is not configured`]);
      }
      const { http } = this.options.tenants[tenant] as ValidatedTenantConfig;
      guard = new UpstreamGuard(tenant, upstream, http, (change) => this.report(change));
      ofTenant.set(upstream, guard);
    }
    return guard;
  }

  /** The guards of a tenant's upstreams called so far; one never called is closed and idle. */
  status(tenant: string): Partial<Record<Upstream, UpstreamGuardStatus>> {
    const status: Partial<Record<Upstream, UpstreamGuardStatus>> = {};
    for (const [upstream, guard] of this.guards.get(tenant) ?? []) {
      status[upstream] = guard.status();
    }
    return status;
  }

  private report(change: BreakerStateChange): void {
    const { tenant, upstream, state, reason, retryAfterSeconds } = change;
    this.audit?.emit({
      name: EVENT_NAMES[state],
      tenant,
      detail: { upstream, reason, retryAfterSeconds },
    });
  }
}
