import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { IamForbiddenError, IamUnauthorizedError } from '../errors/iam-errors.js';
import { type ContextRequest, requestFromContext } from '../request/execution-context.js';
import { getAuthState } from '../request/request-state.js';
import { TenantRegistry } from '../runtime/tenant-registry.js';
import { recordDecision, rejectDecision } from './decision-audit.js';
import { type RouteRequirements, routeRequirementsOf } from './route-requirements.js';

/**
 * Enforces `@RequireRole` against the roles of the verified identity. Runs after SessionGuard;
 * a request without an identity is denied with 401. With `roles.combine: 'override'` (default)
 * the handler's requirement replaces its class's; with `'all'` both must hold.
 */
@Injectable()
export class RoleGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(TenantRegistry) private readonly registry: TenantRegistry,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const requirements = routeRequirementsOf(this.reflector, context);
    if (requirements.roles.length === 0) return true;
    return this.activate(requirements, requestFromContext(context));
  }

  /** `canActivate` with what IamGlobalGuard read once for every guard. @internal */
  activate({ roles: declared }: RouteRequirements, found: ContextRequest | undefined): boolean {
    if (declared.length === 0) return true;
    const required =
      this.registry.options.roles.combine === 'all' ? declared : declared.slice(0, 1);
    const { registry } = this;
    const state = found === undefined ? undefined : getAuthState(found.stateHolder);
    const identity = state?.identity;
    if (identity === undefined) {
      const code =
        found === undefined
          ? 'auth.failure.unsupported_context'
          : 'auth.failure.missing_credentials';
      throw rejectDecision(registry, new IamUnauthorizedError(code), {
        found,
        tenant: state?.tenant,
      });
    }
    const decision = { found, tenant: state?.tenant, subject: identity.id };
    return registry.telemetry.authorizeRole(state?.tenant, (span) => {
      span.subject(identity.id);
      const held = new Set(identity.roles);
      const allowed = required.every((requirement) =>
        requirement.match === 'all'
          ? requirement.roles.every((role) => held.has(role))
          : requirement.roles.some((role) => held.has(role)),
      );
      if (!allowed) {
        throw rejectDecision(registry, new IamForbiddenError('authz.role.deny'), decision);
      }
      recordDecision(registry, 'authz.role.allow', decision);
      return true;
    });
  }
}
