import { ConfigSection } from './config-section.js';
import { describeValue } from './describe-value.js';
import type { TenantResolver } from './module-options.js';

const SHAPES =
  "{ header: 'X-Tenant' }, { host: { 'api.example.com': '<tenant>' } } or a function (request) => tenant";

function validateHostMap(
  resolver: ConfigSection,
  tenantNames: readonly string[],
): TenantResolver | undefined {
  const hosts = resolver.section('host');
  if (hosts === undefined) return undefined;
  if (hosts.keys().length === 0) {
    resolver.problem('host', 'must map at least one host name to a tenant');
    return undefined;
  }
  const mapped: [string, string][] = [];
  for (const host of hosts.keys()) {
    if (host.trim() === '') {
      hosts.problem(host, 'must be a host name, not an empty key');
      continue;
    }
    if (host !== host.toLowerCase()) {
      hosts.problem(host, 'must be lowercase: browsers and proxies send Host in lowercase');
      continue;
    }
    if (!hosts.require(host, 'must name a tenant')) continue;
    const tenant = hosts.string(host);
    if (tenant === undefined) continue;
    if (!tenantNames.includes(tenant)) {
      hosts.problem(host, `names tenant '${tenant}', which is not configured`);
      continue;
    }
    mapped.push([host, tenant]);
  }
  return { host: Object.fromEntries(mapped) };
}

/**
 * Validates `tenantResolver`: a header, a host map whose tenants all exist, or a function.
 * Object shapes are copied (so they can be frozen); a function is kept as given.
 */
export function validateTenantResolver(
  options: ConfigSection,
  tenantNames: readonly string[],
): TenantResolver | undefined {
  const value = options.raw('tenantResolver');
  if (value === undefined) return undefined;
  if (typeof value === 'function') return value as TenantResolver;
  const path = options.pathOf('tenantResolver');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    options.problem('tenantResolver', `must be ${SHAPES}, got ${describeValue(value, false)}`);
    return undefined;
  }
  const resolver = ConfigSection.of(value, path, options.problems);
  if (resolver === undefined) return undefined;
  resolver.allowOnly(['header', 'host']);
  if (resolver.has('header') && resolver.has('host')) {
    options.problem('tenantResolver', "must set either 'header' or 'host', not both");
    return undefined;
  }
  if (resolver.has('header')) {
    const header = resolver.string('header', { token: true });
    return header === undefined ? undefined : { header };
  }
  if (resolver.has('host')) return validateHostMap(resolver, tenantNames);
  options.problem('tenantResolver', `must be ${SHAPES}`);
  return undefined;
}
