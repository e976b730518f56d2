import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type ContextRequest, requestFromContext } from '../request/execution-context.js';
import { TenantRegistry } from '../runtime/tenant-registry.js';
import { PermissionGuard } from './permission.guard.js';
import { RoleGuard } from './role.guard.js';
import { type RouteRequirements, routeRequirementsOf } from './route-requirements.js';
import { ServiceGuard } from './service.guard.js';
import { SessionGuard } from './session.guard.js';

/**
 * The guard IamModule registers as APP_GUARD. With `global: true` (default) every route is
 * authenticated unless `@Public()`. With `global: false` only routes that require roles,
 * permissions, scopes or services are: such a requirement never runs without an identity.
 */
@Injectable()
export class IamGlobalGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(TenantRegistry) private readonly registry: TenantRegistry,
    @Inject(SessionGuard) private readonly session: SessionGuard,
    @Inject(ServiceGuard) private readonly services: ServiceGuard,
    @Inject(RoleGuard) private readonly roles: RoleGuard,
    @Inject(PermissionGuard) private readonly permissions: PermissionGuard,
  ) {}

  /**
   * No promise when none of the guards waits for anything (a cached JWKS key, the in-memory replay
   * cache, a route without permission rules): Nest then skips a microtask per guard too.
   */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    // Read once here for all four guards, not once by each.
    const requirements = routeRequirementsOf(this.reflector, context);
    if (!this.registry.options.global && !requirements.needsIdentity) return true;
    const found = requestFromContext(context);
    const authenticated = this.session.activate(requirements, found);
    return authenticated instanceof Promise
      ? authenticated.then(() => this.authorize(requirements, found))
      : this.authorize(requirements, found);
  }

  private authorize(
    requirements: RouteRequirements,
    found: ContextRequest | undefined,
  ): boolean | Promise<boolean> {
    // Before roles: a service on a user route is told so, not that it lacks a role.
    this.services.activate(requirements, found);
    this.roles.activate(requirements, found);
    return this.permissions.activate(requirements, found);
  }
}
