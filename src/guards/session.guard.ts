import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { IamUnauthorizedError } from '../errors/iam-errors.js';
import type { IamIdentity } from '../identity/iam-identity.js';
import { type ContextRequest, requestFromContext } from '../request/execution-context.js';
import { getAuthState, setAuthState } from '../request/request-state.js';
import { TenantRegistry } from '../runtime/tenant-registry.js';
import { recordDecision, rejectDecision } from './decision-audit.js';
import { routeRequirementsOf } from './route-requirements.js';

/**
 * Proves who sent the request with the tenant's transport and attaches the identity to it.
 * Global by default (see the module's `global` option); also usable as `@UseGuards(SessionGuard)`.
 * Runs once per request however many times it is applied.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(TenantRegistry) private readonly registry: TenantRegistry,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const { mode, needsIdentity } = routeRequirementsOf(this.reflector, context);
    if (mode === 'public' && !needsIdentity) return true;

    const found = requestFromContext(context);
    if (found === undefined) {
      throw rejectDecision(
        this.registry.audit,
        new IamUnauthorizedError('auth.failure.unsupported_context'),
        { found },
      );
    }
    if (getAuthState(found.request.raw) !== undefined) return true;
    await this.authenticate(found, mode === 'anonymous' && !needsIdentity);
    return true;
  }

  private async authenticate(found: ContextRequest, allowAnonymous: boolean): Promise<void> {
    const { audit } = this.registry;
    const tenant = this.registry.resolveTenant(found.request);
    if (tenant === undefined) {
      throw rejectDecision(audit, new IamUnauthorizedError('auth.tenant_unknown'), { found });
    }
    let identity: IamIdentity | undefined;
    try {
      identity = await this.registry.runtime(tenant).transport.authenticate(found.request);
    } catch (error) {
      throw rejectDecision(audit, error, { found, tenant });
    }
    if (identity === undefined && !allowAnonymous) {
      throw rejectDecision(audit, new IamUnauthorizedError('auth.failure.missing_credentials'), {
        found,
        tenant,
      });
    }
    setAuthState(found.request.raw, { tenant, identity });
    recordDecision(audit, identity === undefined ? 'auth.anonymous' : 'auth.success', {
      found,
      tenant,
      subject: identity?.id,
    });
  }
}
