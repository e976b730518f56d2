import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import {
  AUTH_MODE_KEY,
  type AuthMode,
  REQUIRED_PERMISSIONS_KEY,
  REQUIRED_ROLES_KEY,
} from '../decorators/metadata-keys.js';
import type { RoleRequirement } from '../decorators/require-role.decorator.js';

/** `@Public`/`@Anonymous` of the handler, else of its class. */
export function authModeOf(reflector: Reflector, context: ExecutionContext): AuthMode | undefined {
  return reflector.getAllAndOverride<AuthMode | undefined>(AUTH_MODE_KEY, [
    context.getHandler(),
    context.getClass(),
  ]);
}

/** `@RequireRole` of the handler, else of its class. */
export function roleRequirementOf(
  reflector: Reflector,
  context: ExecutionContext,
): RoleRequirement | undefined {
  return reflector.getAllAndOverride<RoleRequirement | undefined>(REQUIRED_ROLES_KEY, [
    context.getHandler(),
    context.getClass(),
  ]);
}

/** True when the handler or its class requires roles or permissions, which need an identity. */
export function requiresIdentity(reflector: Reflector, context: ExecutionContext): boolean {
  const targets = [context.getHandler(), context.getClass()];
  return (
    roleRequirementOf(reflector, context) !== undefined ||
    targets.some((target) => reflector.get(REQUIRED_PERMISSIONS_KEY, target) !== undefined)
  );
}
