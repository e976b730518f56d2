import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { IamForbiddenError, IamUnauthorizedError } from '../errors/iam-errors.js';
import { requestFromContext } from '../request/execution-context.js';
import { getAuthState } from '../request/request-state.js';
import { TenantRegistry } from '../runtime/tenant-registry.js';
import { recordDecision, rejectDecision } from './decision-audit.js';
import { routeRequirementsOf } from './route-requirements.js';

/**
 * Keeps users and services apart. A route with `@RequireScope` or `@RequireService` is a service
 * route: only a service identity whose client id is listed and whose token holds every scope
 * passes. Every other route refuses services (fail closed): a machine token reaches only the
 * routes written for it. Runs after SessionGuard, next to RoleGuard.
 */
@Injectable()
export class ServiceGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(TenantRegistry) private readonly registry: TenantRegistry,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const { scopes, services } = routeRequirementsOf(this.reflector, context);
    const serviceRoute = scopes.length > 0 || services.length > 0;
    const found = requestFromContext(context);
    const state = found === undefined ? undefined : getAuthState(found.request.raw);
    const identity = state?.identity;
    if (identity === undefined) {
      if (!serviceRoute) return true;
      const code =
        found === undefined
          ? 'auth.failure.unsupported_context'
          : 'auth.failure.missing_credentials';
      throw rejectDecision(this.registry, new IamUnauthorizedError(code), {
        found,
        tenant: state?.tenant,
      });
    }
    const decision = { found, tenant: state?.tenant, subject: identity.id };
    const deny = (code: 'authz.caller_kind.deny' | 'authz.service.deny' | 'authz.scope.deny') =>
      rejectDecision(this.registry, new IamForbiddenError(code), decision);
    if ((identity.kind === 'service') !== serviceRoute) throw deny('authz.caller_kind.deny');
    if (!serviceRoute) return true;
    if (services.length > 0 && !services.includes(identity.id)) throw deny('authz.service.deny');
    const held = new Set(identity.scope ?? []);
    if (!scopes.every((scope) => held.has(scope))) throw deny('authz.scope.deny');
    recordDecision(this.registry, 'authz.service.allow', decision);
    return true;
  }
}
