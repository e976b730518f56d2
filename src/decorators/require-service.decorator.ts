import { SetMetadata } from '@nestjs/common';
import { REQUIRED_SERVICES_KEY } from './metadata-keys.js';

/**
 * Makes the route a service route that only the listed OAuth2 clients (by client id, e.g.
 * `orders-api`) may call; the handler's list replaces its class's. Users are refused (403
 * `authz.caller_kind.deny`), another client is 403 `authz.service.deny`.
 */
export function RequireService(...clientIds: string[]): MethodDecorator & ClassDecorator {
  if (clientIds.length === 0 || clientIds.some((id) => typeof id !== 'string' || id === '')) {
    throw new TypeError('@RequireService needs at least one non-empty client id.');
  }
  return SetMetadata<symbol, readonly string[]>(
    REQUIRED_SERVICES_KEY,
    Object.freeze([...clientIds]),
  );
}
