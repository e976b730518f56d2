import type { OathkeeperAccessRule } from './access-rule.js';
import { type MatchingStrategy, matchUrl } from './match-pattern.js';
import { accessOf, mixedCallersError, mixesCallers, requiredScopes } from './route-access.js';
import { describePath, pathsOverlap, type RoutePath } from './route-path.js';
import type { RouteEntry, RouteKind } from './route-table.js';
import { DEFAULT_SESSION_AUTHENTICATORS, pipelineOf } from './rule-pipeline.js';
import type { ServiceProfile } from './service-profile.js';
import { splitConflicts } from './split-routes.js';

/** Where the rules point and how they match. */
export interface RuleTargetOptions {
  /**
   * The start of every `match.url`: scheme and host as Oathkeeper sees them, e.g.
   * `https://api.example.com`. Used verbatim, so it may hold a `<...>` pattern of the chosen
   * strategy (`http://<127\\.0\\.0\\.1|localhost>:4455` with regexp).
   */
  readonly matchOrigin: string;
  /** Where Oathkeeper forwards the requests: the service's URL. */
  readonly upstream: string;
  /** Oathkeeper's `access_rules.matching_strategy`. Default `regexp`, Oathkeeper's default. */
  readonly matching?: MatchingStrategy;
  /** Authenticators of routes that need a session. Default `cookie_session`, `bearer_token`. */
  readonly sessionAuthenticators?: readonly string[];
  /** Start of every rule id. Default: the service's audience, else `nest`. */
  readonly idPrefix?: string;
  /**
   * Hydra's token introspection endpoint (its admin API's `/admin/oauth2/introspect`), written
   * into the `oauth2_introspection` authenticator of every service route's rule. Default: none
   * written, so Oathkeeper's config must set it.
   */
  readonly introspectionUrl?: string;
}

/** Routes of different pipelines that can be the same request; Oathkeeper would answer 500. */
export class AccessRuleConflictError extends Error {
  constructor(
    readonly conflicts: readonly string[],
    hint = '',
  ) {
    super(
      `Routes with different access can match the same request, and Oathkeeper's rules have no priority:\n${conflicts.join('\n')}\nGive them distinct paths or the same access.${hint}`,
    );
    this.name = 'AccessRuleConflictError';
  }
}

const KIND_ORDER: readonly RouteKind[] = ['public', 'anonymous', 'authenticated', 'service'];

function conflictsOf(routes: readonly RouteEntry[]): string[] {
  const conflicts: string[] = [];
  routes.forEach((route, index) => {
    for (const other of routes.slice(index + 1)) {
      if (other.method !== route.method || accessOf(other) === accessOf(route)) continue;
      if (pathsOverlap(route.path, other.path)) {
        conflicts.push(
          `${route.source} (${accessOf(route)}) and ${other.source} (${accessOf(other)})`,
        );
      }
    }
  });
  return conflicts;
}

/** Regexp rules can leave a literal out of a param; a glob cannot, so it refuses every overlap. */
function separated(routes: readonly RouteEntry[], strategy: MatchingStrategy): RouteEntry[] {
  if (strategy === 'regexp') {
    const split = splitConflicts(routes);
    if (split.conflicts.length > 0) throw new AccessRuleConflictError(split.conflicts);
    return split.routes;
  }
  const conflicts = conflictsOf(routes);
  if (conflicts.length > 0) {
    throw new AccessRuleConflictError(
      conflicts,
      ' A regexp rule could leave the literal paths out of the params (--matching regexp).',
    );
  }
  return [...routes];
}

/** An absolute http(s) URL, or an error naming the option. */
export function checkIntrospectionUrl(url: string | undefined): void {
  if (url === undefined) return;
  const protocol = URL.canParse(url) ? new URL(url).protocol : undefined;
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new Error(
      'introspectionUrl (--introspection-url) must be an absolute URL starting with http:// or https://',
    );
  }
}

/** Access groups in a stable order: the kinds as listed, service routes by their scopes. */
function byAccess(a: RouteEntry, b: RouteEntry): number {
  return (
    KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
    accessOf(a).localeCompare(accessOf(b))
  );
}

/**
 * One rule per pipeline and set of methods: routes of one access (kind, and for service routes
 * their scopes) and one method share a rule whose URL matches exactly their paths, and methods
 * whose paths are the same share it too. So two rules overlap only if routes of different access
 * do: a literal path under another access's param (`/orders/export` and `/orders/:id`) is left
 * out of the param's pattern (regexp only); any other overlap is refused with
 * {@link AccessRuleConflictError} naming the routes. Routes asking for both a user and a service,
 * and service routes of an `oathkeeper` tenant without `serviceIssuer`, are refused by name.
 */
export function generateAccessRules(
  routes: readonly RouteEntry[],
  profile: ServiceProfile,
  options: RuleTargetOptions,
): OathkeeperAccessRule[] {
  const strategy = options.matching ?? 'regexp';
  const idPrefix = options.idPrefix ?? profile.audience ?? 'nest';
  checkIntrospectionUrl(options.introspectionUrl);
  const mixed = routes.filter(mixesCallers);
  if (mixed.length > 0) throw mixedCallersError(mixed);
  const all = separated(routes, strategy);
  const accesses = [...new Map([...all].sort(byAccess).map((route) => [accessOf(route), route]))];
  const rules: OathkeeperAccessRule[] = [];
  for (const [access, { kind }] of accesses) {
    const ofAccess = all.filter((route) => accessOf(route) === access);
    // method -> its paths, keyed by their description so duplicates collapse.
    const byMethod = new Map<string, Map<string, RoutePath>>();
    for (const route of ofAccess) {
      const paths = byMethod.get(route.method) ?? new Map<string, RoutePath>();
      paths.set(describePath(route.path), route.path);
      byMethod.set(route.method, paths);
    }
    const byPaths = new Map<string, { methods: string[]; paths: RoutePath[] }>();
    for (const [method, paths] of byMethod) {
      const key = [...paths.keys()].sort().join('\n');
      const group = byPaths.get(key) ?? { methods: [], paths: [...paths.values()] };
      group.methods.push(method);
      byPaths.set(key, group);
    }
    const pipeline = pipelineOf(
      kind,
      profile,
      {
        sessionAuthenticators: options.sessionAuthenticators ?? DEFAULT_SESSION_AUTHENTICATORS,
        ...(options.introspectionUrl !== undefined && {
          introspectionUrl: options.introspectionUrl,
        }),
      },
      all.filter((route) => route.kind === kind).map((route) => route.source),
      requiredScopes(ofAccess[0] as RouteEntry),
    );
    for (const { methods, paths } of byPaths.values()) {
      const sorted = [...paths].sort((a, b) => describePath(a).localeCompare(describePath(b)));
      rules.push({
        id: `${idPrefix}:${access}:${methods.map((method) => method.toLowerCase()).join('-')}`,
        description: `${access} ${methods.join(', ')} ${sorted.map(describePath).join(' ')}`,
        upstream: { url: options.upstream, preserve_host: false },
        match: { url: matchUrl(options.matchOrigin, sorted, strategy), methods },
        ...pipeline,
      });
    }
  }
  return rules;
}
