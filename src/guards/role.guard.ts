import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { IamForbiddenError, IamUnauthorizedError } from '../errors/iam-errors.js';
import { requestFromContext } from '../request/execution-context.js';
import { getAuthState } from '../request/request-state.js';
import { TenantRegistry } from '../runtime/tenant-registry.js';
import { recordDecision, rejectDecision } from './decision-audit.js';
import { routeRequirementsOf } from './route-requirements.js';

/**
 * Enforces `@RequireRole` against the roles of the verified identity. Runs after SessionGuard;
 * a request without an identity is denied with 401.
 */
@Injectable()
export class RoleGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(TenantRegistry) private readonly registry: TenantRegistry,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const requirement = routeRequirementsOf(this.reflector, context).roles;
    if (requirement === undefined) return true;
    const { audit } = this.registry;
    const found = requestFromContext(context);
    const state = found === undefined ? undefined : getAuthState(found.stateHolder);
    const identity = state?.identity;
    if (identity === undefined) {
      const code =
        found === undefined
          ? 'auth.failure.unsupported_context'
          : 'auth.failure.missing_credentials';
      throw rejectDecision(audit, new IamUnauthorizedError(code), { found, tenant: state?.tenant });
    }
    const decision = { found, tenant: state?.tenant, subject: identity.id };
    const held = new Set(identity.roles);
    const allowed =
      requirement.match === 'all'
        ? requirement.roles.every((role) => held.has(role))
        : requirement.roles.some((role) => held.has(role));
    if (!allowed) {
      throw rejectDecision(audit, new IamForbiddenError('authz.role.deny'), decision);
    }
    recordDecision(audit, 'authz.role.allow', decision);
    return true;
  }
}
