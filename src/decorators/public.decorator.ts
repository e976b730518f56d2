import { SetMetadata } from '@nestjs/common';
import { AUTH_MODE_KEY, type AuthMode } from './metadata-keys.js';

/**
 * The route needs no authentication. On a class it applies to every handler; a handler's own
 * `@Anonymous()` overrides it. Role and permission requirements still authenticate (and so deny
 * a request without credentials): they cannot be checked for nobody.
 */
export const Public = (): MethodDecorator & ClassDecorator =>
  SetMetadata<symbol, AuthMode>(AUTH_MODE_KEY, 'public');

/**
 * Authentication is optional: valid credentials attach the identity, absent ones give an anonymous
 * request (`@CurrentUser()` is undefined), invalid ones are still rejected with 401.
 */
export const Anonymous = (): MethodDecorator & ClassDecorator =>
  SetMetadata<symbol, AuthMode>(AUTH_MODE_KEY, 'anonymous');
