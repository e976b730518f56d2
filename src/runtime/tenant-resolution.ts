import type { ValidatedIamOptions } from '../config/module-options.js';
import type { IamRequest } from '../request/iam-request.js';

function withoutPort(host: string): string {
  const colon = host.lastIndexOf(':');
  return colon > host.lastIndexOf(']') ? host.slice(0, colon) : host;
}

function nameFromResolver(options: ValidatedIamOptions, request: IamRequest): string | undefined {
  const resolver = options.tenantResolver;
  if (resolver === undefined) return undefined;
  if (typeof resolver === 'function') return resolver(request);
  if ('header' in resolver) return request.header(resolver.header);
  const host = request.host(false)?.toLowerCase();
  if (host === undefined) return undefined;
  const hosts = resolver.host;
  const exact = Object.hasOwn(hosts, host) ? hosts[host] : undefined;
  if (exact !== undefined) return exact;
  const bare = withoutPort(host);
  return Object.hasOwn(hosts, bare) ? hosts[bare] : undefined;
}

/**
 * The tenant of a request: the resolver's answer, else `defaultTenant`, else the only tenant.
 * A name that is not a configured tenant answers undefined (the guard then denies with 401
 * `auth.tenant_unknown`); it never falls back to another tenant.
 */
export function resolveTenantName(
  options: ValidatedIamOptions,
  request: IamRequest,
): string | undefined {
  const resolved = nameFromResolver(options, request);
  if (resolved !== undefined) {
    return Object.hasOwn(options.tenants, resolved) ? resolved : undefined;
  }
  if (options.defaultTenant !== undefined) return options.defaultTenant;
  const names = Object.keys(options.tenants);
  return names.length === 1 ? names[0] : undefined;
}
