import {
  type CanActivate,
  type ExecutionContext,
  type HttpException,
  Inject,
  Injectable,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { IamForbiddenError, IamUnauthorizedError } from '../errors/iam-errors.js';
import { type ContextRequest, requestFromContext } from '../request/execution-context.js';
import { getAuthState } from '../request/request-state.js';
import { TenantRegistry } from '../runtime/tenant-registry.js';
import { type DecisionContext, recordDecision, rejectDecision } from './decision-audit.js';
import { type RouteRequirements, routeRequirementsOf } from './route-requirements.js';

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
    return this.activate(routeRequirementsOf(this.reflector, context), requestFromContext(context));
  }

  /** `canActivate` with what IamGlobalGuard read once for every guard. @internal */
  activate({ scopes, services }: RouteRequirements, found: ContextRequest | undefined): boolean {
    const serviceRoute = scopes.length > 0 || services.length > 0;
    const state = found === undefined ? undefined : getAuthState(found.stateHolder);
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
    const isService = identity.kind === 'service';
    // A user on a user route, the common case, needs no decision object.
    if (!isService && !serviceRoute) return true;
    const decision = { found, tenant: state?.tenant, subject: identity.id };
    if (isService !== serviceRoute) throw this.deny('authz.caller_kind.deny', decision);
    if (services.length > 0 && !services.includes(identity.id)) {
      throw this.deny('authz.service.deny', decision);
    }
    const held = new Set(identity.scope ?? []);
    if (!scopes.every((scope) => held.has(scope))) throw this.deny('authz.scope.deny', decision);
    recordDecision(this.registry, 'authz.service.allow', decision);
    return true;
  }

  // A method, not a closure per request: the build keeps function names, so each closure would
  // cost a defineProperty of its name on every request.
  private deny(
    code: 'authz.caller_kind.deny' | 'authz.service.deny' | 'authz.scope.deny',
    decision: DecisionContext,
  ): HttpException {
    return rejectDecision(this.registry, new IamForbiddenError(code), decision);
  }
}
