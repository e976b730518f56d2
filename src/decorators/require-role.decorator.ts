import { SetMetadata } from '@nestjs/common';
import { REQUIRED_ROLES_KEY } from './metadata-keys.js';

/** `any`: one of the roles is enough (default). `all`: every role is needed. */
export interface RoleRequirement {
  readonly roles: readonly string[];
  readonly match: 'any' | 'all';
}

export interface RequireRoleOptions {
  match: 'any' | 'all';
}

/**
 * Requires roles from the verified identity (claims or `metadata_public`, never traits).
 * `@RequireRole('a', 'b')` needs a or b; `@RequireRole(['a', 'b'], { match: 'all' })` needs both.
 * A handler's requirement replaces its class's, unless the module's `roles.combine` is `'all'`
 * (then both must hold). Denied → 403 `authz.role.deny`.
 */
export function RequireRole(...roles: string[]): MethodDecorator & ClassDecorator;
export function RequireRole(
  roles: readonly string[],
  options: RequireRoleOptions,
): MethodDecorator & ClassDecorator;
export function RequireRole(
  ...args: [readonly string[], RequireRoleOptions] | string[]
): MethodDecorator & ClassDecorator {
  const [first, second] = args;
  const requirement: RoleRequirement = Array.isArray(first)
    ? { roles: Object.freeze([...first]), match: (second as RequireRoleOptions).match }
    : { roles: Object.freeze([...(args as string[])]), match: 'any' };
  if (
    requirement.roles.length === 0 ||
    requirement.roles.some((role) => typeof role !== 'string' || role === '')
  ) {
    throw new TypeError('@RequireRole needs at least one non-empty role name.');
  }
  if (requirement.match !== 'any' && requirement.match !== 'all') {
    throw new TypeError("@RequireRole's match must be 'any' or 'all'.");
  }
  return SetMetadata<symbol, RoleRequirement>(REQUIRED_ROLES_KEY, Object.freeze(requirement));
}
