import { SetMetadata } from '@nestjs/common';
import { REQUIRED_SCOPES_KEY } from './metadata-keys.js';

/**
 * Makes the route a service route that needs every listed OAuth2 scope in the caller's access
 * token; scopes of the class and the handler add up. Users are refused (403
 * `authz.caller_kind.deny`), a missing scope is 403 `authz.scope.deny`.
 */
export function RequireScope(...scopes: string[]): MethodDecorator & ClassDecorator {
  if (
    scopes.length === 0 ||
    scopes.some((scope) => typeof scope !== 'string' || !/^\S+$/.test(scope))
  ) {
    throw new TypeError('@RequireScope needs at least one scope, each without spaces.');
  }
  return SetMetadata<symbol, readonly string[]>(REQUIRED_SCOPES_KEY, Object.freeze([...scopes]));
}
