import type { OathkeeperAccessRule } from './access-rule.js';
import { checkIntrospectionUrl } from './generate-rules.js';
import { compileMatchUrl, type MatchingStrategy } from './match-pattern.js';
import { mixesCallers } from './route-access.js';
import { samplePaths } from './route-path.js';
import type { RouteEntry } from './route-table.js';
import { PASS_THROUGH_AUTHENTICATORS, PER_REQUEST_TEMPLATE } from './rule-pipeline.js';
import { sampleOrigins } from './sample-origin.js';
import type { ServiceProfile } from './service-profile.js';
import {
  callerMixProblems,
  isServiceRule,
  serviceRouteProblems,
  serviceRuleProblems,
} from './service-rule-check.js';

/** How the rules file is read. */
export interface RuleCheckOptions {
  /** The start of `match.url` the routes are reached at (see `RuleTargetOptions`). */
  readonly matchOrigin: string;
  /** Rules forwarding elsewhere belong to other services: only their overlaps with ours count. */
  readonly upstream?: string;
  readonly matching?: MatchingStrategy;
  /** When given, every `oauth2_introspection` of a service route's rule must ask this URL. */
  readonly introspectionUrl?: string;
}

// HEAD comes with GET and OPTIONS with CORS: a rule may list them for routes that declare neither.
const IMPLIED_METHODS = new Set(['HEAD', 'OPTIONS']);

// Placeholders for template actions, so the claims template parses as JSON.
function parseClaims(template: string): Record<string, unknown> | undefined {
  const stubbed = template.replace(/"(?:[^"\\]|\\.)*"|\{\{[\s\S]*?\}\}/g, (part) =>
    part.startsWith('"') ? part.replace(/\{\{[\s\S]*?\}\}/g, 'template') : 'null',
  );
  try {
    const parsed: unknown = JSON.parse(stubbed);
    return typeof parsed === 'object' && parsed !== null
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function claimAt(claims: Record<string, unknown>, path: string): unknown {
  let current: unknown = claims;
  for (const part of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** Problems of the id_token a rule mints for an authenticated route of this service. */
function idTokenProblems(rule: OathkeeperAccessRule, profile: ServiceProfile): string[] {
  const idToken = rule.mutators.find((mutator) => mutator.handler === 'id_token');
  if (idToken === undefined) {
    return [`rule "${rule.id}" mints no id_token, but the service verifies one in Authorization`];
  }
  const template = idToken.config?.claims;
  if (typeof template !== 'string') {
    return [
      `rule "${rule.id}": its id_token sets no claims of its own, so the audience, tenant and jti cannot be checked; put the claims in the rule`,
    ];
  }
  const claims = parseClaims(template);
  if (claims === undefined) return [`rule "${rule.id}": the id_token claims template is not JSON`];
  const problems: string[] = [];
  const aud = claims.aud;
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (profile.audience !== undefined && !audiences.includes(profile.audience)) {
    problems.push(
      `rule "${rule.id}": id_token audience ${JSON.stringify(aud ?? null)} does not include "${profile.audience}", the audience the service accepts (401 auth.failure.audience_mismatch)`,
    );
  }
  const tenant = claimAt(claims, profile.tenantClaim);
  if (tenant !== profile.tenant && !(tenant === undefined && profile.allowMissingTenant)) {
    problems.push(
      `rule "${rule.id}": id_token claim "${profile.tenantClaim}" is ${JSON.stringify(tenant ?? null)}, the service expects "${profile.tenant}" (401 auth.tenant_mismatch)`,
    );
  }
  if (profile.replayProtection && !PER_REQUEST_TEMPLATE.test(template)) {
    problems.push(
      `rule "${rule.id}": replay protection is on but the claims template has no per-request value such as "jti": "{{ uuidv4 }}"; Oathkeeper will resend its cached token and the second request is 401 auth.failure.replay`,
    );
  }
  return problems;
}

function accessProblem(
  route: RouteEntry,
  rule: OathkeeperAccessRule,
  profile: ServiceProfile,
): string | undefined {
  if (route.kind === 'authenticated' && isServiceRule(rule, profile)) {
    return `protected route ${route.source} is behind rule "${rule.id}", a rule for machine callers: users get 401 at the gateway`;
  }
  const names = rule.authenticators.map((authenticator) => authenticator.handler);
  const passes = names.some((name) => PASS_THROUGH_AUTHENTICATORS.includes(name));
  const checks = names.filter((name) => !PASS_THROUGH_AUTHENTICATORS.includes(name));
  if (route.kind === 'authenticated' && checks.length === 0) {
    return `protected route ${route.source} is behind rule "${rule.id}", which only has anonymous authenticators (${names.join(', ')})`;
  }
  if (route.kind === 'public' && checks.length > 0) {
    return `public route ${route.source} is behind rule "${rule.id}", whose session authenticators (${checks.join(', ')}) refuse bad or expired credentials the service would ignore`;
  }
  if (route.kind === 'anonymous' && !passes) {
    return `anonymous route ${route.source} is behind rule "${rule.id}", which refuses requests without a session (no anonymous authenticator)`;
  }
  return undefined;
}

/**
 * Every way the rules and the routes disagree, one line each; empty when they agree. Routes are
 * tested with concrete URLs (each param filled with `1` and with `sample`, behind each origin
 * `sampleOrigins` makes of a patterned `matchOrigin`).
 */
export function checkAccessRules(
  rules: readonly OathkeeperAccessRule[],
  routes: readonly RouteEntry[],
  profile: ServiceProfile,
  options: RuleCheckOptions,
): string[] {
  const strategy = options.matching ?? 'regexp';
  checkIntrospectionUrl(options.introspectionUrl);
  const origins = sampleOrigins(options.matchOrigin, strategy);
  const problems: string[] = [];
  const compiled = new Map<OathkeeperAccessRule, RegExp>();
  for (const rule of rules) {
    try {
      compiled.set(rule, compileMatchUrl(rule.match.url, strategy));
    } catch (error) {
      problems.push(`rule "${rule.id}": match.url cannot be read: ${(error as Error).message}`);
    }
  }
  const ours = rules.filter(
    (rule) => options.upstream === undefined || rule.upstream.url === options.upstream,
  );
  for (const rule of ours) {
    problems.push(...callerMixProblems(rule, profile));
    problems.push(...serviceRuleProblems(rule, profile, options.introspectionUrl));
  }
  const used = new Map<OathkeeperAccessRule, Set<string>>(ours.map((rule) => [rule, new Set()]));
  const checkedTokens = new Set<OathkeeperAccessRule>();
  const reached = new Set<OathkeeperAccessRule>();
  for (const route of routes) {
    if (mixesCallers(route)) {
      problems.push(
        `${route.source} asks for both a user (roles, permissions) and a service (client ids, scopes): no rule can admit it`,
      );
    }
    const urls = origins.flatMap((origin) =>
      samplePaths(route.path).map((path) => `${origin}${path}`),
    );
    const byUrl = [...compiled]
      .filter(([, pattern]) => urls.some((url) => pattern.test(url)))
      .map(([rule]) => rule);
    const matching = byUrl.filter((rule) => rule.match.methods.includes(route.method));
    for (const rule of byUrl) reached.add(rule);
    for (const rule of matching) used.get(rule)?.add(route.method);
    if (matching.length === 0) {
      const listed = byUrl.map((rule) => `"${rule.id}" (${rule.match.methods.join(', ')})`);
      problems.push(
        byUrl.length > 0
          ? `methods mismatch: ${route.source} matches ${listed.join(', ')} by URL, but none lists ${route.method}`
          : `no rule matches ${route.source}`,
      );
      continue;
    }
    if (matching.length > 1) {
      problems.push(
        `${route.source} matches ${matching.length} rules (${matching.map((rule) => `"${rule.id}"`).join(', ')}); Oathkeeper refuses a request that matches more than one rule`,
      );
      continue;
    }
    const rule = matching[0] as OathkeeperAccessRule;
    if (options.upstream !== undefined && rule.upstream.url !== options.upstream) {
      problems.push(
        `${route.source} is behind rule "${rule.id}", which forwards to ${rule.upstream.url}, not to the app at ${options.upstream}`,
      );
      continue;
    }
    if (route.kind === 'service') {
      problems.push(...serviceRouteProblems(route, rule, profile));
    } else {
      const access = accessProblem(route, rule, profile);
      if (access !== undefined) problems.push(access);
    }
    const minted = route.kind === 'authenticated' || route.kind === 'service';
    if (minted && profile.expectsIdToken && !checkedTokens.has(rule)) {
      checkedTokens.add(rule);
      problems.push(...idTokenProblems(rule, profile));
    }
  }
  for (const [rule, methods] of used) {
    if (!reached.has(rule)) {
      problems.push(`rule "${rule.id}" matches no route of the app (a rule without a route)`);
      continue;
    }
    const unused = rule.match.methods.filter(
      (method) => !methods.has(method) && !IMPLIED_METHODS.has(method),
    );
    if (unused.length > 0) {
      problems.push(
        `methods mismatch: rule "${rule.id}" lists ${unused.join(', ')}, which none of its routes answers`,
      );
    }
  }
  return problems;
}
