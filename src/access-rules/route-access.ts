import type { RouteEntry } from './route-table.js';

/** The scopes a service route's rule asks the introspection for: the route's, in a stable order. */
export function requiredScopes(route: RouteEntry): string[] {
  return [...route.requirements.scopes].sort();
}

/**
 * The access a route's rule grants: its kind, and for a service route also its scopes, since
 * routes with different scopes need different `required_scope` and so different rules.
 * `service[inventory:reserve]`; `service` for a route of `@RequireService` alone.
 */
export function accessOf(route: RouteEntry): string {
  if (route.kind !== 'service') return route.kind;
  const scopes = requiredScopes(route);
  return scopes.length === 0 ? 'service' : `service[${scopes.join(',')}]`;
}

/**
 * A route asking for a user's roles or permissions and for a service's client id or scopes: no
 * rule can serve it, since a rule authenticates either users (a session) or services (an OAuth2
 * token), and ServiceGuard refuses the other kind anyway.
 */
export function mixesCallers(route: RouteEntry): boolean {
  const { roles, permissions } = route.requirements;
  return route.kind === 'service' && (roles.length > 0 || permissions.length > 0);
}

/** The error for {@link mixesCallers} routes, naming them. */
export function mixedCallersError(routes: readonly RouteEntry[]): Error {
  return new Error(
    `routes ask for both a user (@RequireRole/@RequirePermission) and a service (@RequireService/@RequireScope), which no single access rule can admit: ${routes.map((route) => route.source).join('; ')}. Give users and services separate routes.`,
  );
}
