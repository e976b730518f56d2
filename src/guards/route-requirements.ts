import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import {
  AUTH_MODE_KEY,
  type AuthMode,
  REQUIRED_PERMISSIONS_KEY,
  REQUIRED_ROLES_KEY,
  REQUIRED_SCOPES_KEY,
  REQUIRED_SERVICES_KEY,
} from '../decorators/metadata-keys.js';
import type { PermissionRule } from '../decorators/require-permission.decorator.js';
import type { RoleRequirement } from '../decorators/require-role.decorator.js';

/** What a route asks of the guards, from the decorators on its handler and class. */
export interface RouteRequirements {
  /** `@Public`/`@Anonymous` of the handler, else of its class. */
  readonly mode: AuthMode | undefined;
  /**
   * `@RequireRole` of the handler, then of its class, those present: RoleGuard checks the first
   * or all of them, as the module's `roles.combine` says.
   */
  readonly roles: readonly RoleRequirement[];
  /** `@RequirePermission` rules of the class, then of the handler: all must hold. */
  readonly permissions: readonly PermissionRule[];
  /** `@RequireScope` scopes of the class and the handler: a service must hold all of them. */
  readonly scopes: readonly string[];
  /** `@RequireService` client ids of the handler, else of its class: one must match. */
  readonly services: readonly string[];
  /** Roles, permissions, scopes or services are required: an identity is needed whatever the mode. */
  readonly needsIdentity: boolean;
}

type Handler = ReturnType<ExecutionContext['getHandler']>;
type Controller = ReturnType<ExecutionContext['getClass']>;

// Decorators write route metadata once, when the class is defined, so it is read once per
// handler rather than by every guard on every request. Keyed by class, then handler: a
// subclass shares its parent's handler functions but may carry its own class decorators.
const byClass = new WeakMap<Controller, WeakMap<Handler, RouteRequirements>>();

/** Reads the requirements from the decorators; `routeRequirementsOf` caches what this returns. */
export function readRouteRequirements(
  reflector: Reflector,
  handler: Handler,
  controller: Controller,
): RouteRequirements {
  const targets = [handler, controller];
  const mode = reflector.getAllAndOverride<AuthMode | undefined>(AUTH_MODE_KEY, targets);
  const roles = Object.freeze(
    targets
      .map((target) => reflector.get<RoleRequirement | undefined>(REQUIRED_ROLES_KEY, target))
      .filter((requirement) => requirement !== undefined),
  );
  const fromClass = reflector.get<PermissionRule[] | undefined>(
    REQUIRED_PERMISSIONS_KEY,
    controller,
  );
  const fromHandler = reflector.get<PermissionRule[] | undefined>(
    REQUIRED_PERMISSIONS_KEY,
    handler,
  );
  const permissions = Object.freeze([...(fromClass ?? []), ...(fromHandler ?? [])]);
  const scopes = Object.freeze([
    ...new Set(
      targets.flatMap(
        (target) => reflector.get<string[] | undefined>(REQUIRED_SCOPES_KEY, target) ?? [],
      ),
    ),
  ]);
  const services = Object.freeze([
    ...(reflector.getAllAndOverride<string[] | undefined>(REQUIRED_SERVICES_KEY, targets) ?? []),
  ]);
  return Object.freeze({
    mode,
    roles,
    permissions,
    scopes,
    services,
    needsIdentity:
      roles.length > 0 ||
      fromClass !== undefined ||
      fromHandler !== undefined ||
      scopes.length > 0 ||
      services.length > 0,
  });
}

/** The requirements of the route behind `context`. */
export function routeRequirementsOf(
  reflector: Reflector,
  context: ExecutionContext,
): RouteRequirements {
  const handler = context.getHandler();
  const controller = context.getClass();
  let handlers = byClass.get(controller);
  if (handlers === undefined) {
    handlers = new WeakMap();
    byClass.set(controller, handlers);
  }
  let requirements = handlers.get(handler);
  if (requirements === undefined) {
    requirements = readRouteRequirements(reflector, handler, controller);
    handlers.set(handler, requirements);
  }
  return requirements;
}
