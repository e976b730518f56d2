import type { Type } from '@nestjs/common';
import type { OathkeeperAccessRule } from './access-rule.js';
import { type AppAccessRulesOptions, routesAndProfile } from './app-rules.js';
import { checkAccessRules } from './check-rules.js';
import { AccessRuleConflictError, generateAccessRules } from './generate-rules.js';
import type { MatchingStrategy } from './match-pattern.js';
import { readAccessRules } from './read-rules.js';
import { pathsOverlap } from './route-path.js';
import type { RouteEntry } from './route-table.js';
import type { ServiceProfile } from './service-profile.js';

/**
 * One app of a rules file that several apps share behind one Oathkeeper: its root module, its
 * `upstream` and the options of {@link AppAccessRulesOptions} that are its own.
 */
export interface AppRulesTarget
  extends Omit<AppAccessRulesOptions, 'matchOrigin' | 'matching' | 'introspectionUrl'> {
  readonly module: Type<unknown>;
}

/**
 * What every app of one rules file shares: the origin Oathkeeper sees, its matching strategy and
 * the token introspection endpoint it asks.
 */
export interface SharedRulesOptions {
  /** The start of every `match.url` (see `RuleTargetOptions.matchOrigin`). */
  readonly matchOrigin: string;
  /** Oathkeeper's `access_rules.matching_strategy`. Default `regexp`. */
  readonly matching?: MatchingStrategy;
  /** Hydra's introspection endpoint for service routes (see `RuleTargetOptions.introspectionUrl`). */
  readonly introspectionUrl?: string;
}

interface LoadedTarget {
  readonly target: AppRulesTarget;
  readonly routes: RouteEntry[];
  readonly profile: ServiceProfile;
}

function optionsOf(target: AppRulesTarget, shared: SharedRulesOptions): AppAccessRulesOptions {
  const { module: _module, ...own } = target;
  return { ...own, ...shared };
}

async function loadTargets(
  targets: readonly AppRulesTarget[],
  shared: SharedRulesOptions,
): Promise<LoadedTarget[]> {
  if (targets.length === 0) throw new Error('no app to generate access rules for');
  const seen = new Map<string, AppRulesTarget>();
  for (const target of targets) {
    const other = seen.get(target.upstream);
    if (other !== undefined) {
      throw new Error(
        `${other.module.name} and ${target.module.name} both forward to ${target.upstream}: each app needs its own upstream, which is how the rules tell the apps apart`,
      );
    }
    seen.set(target.upstream, target);
  }
  const loaded: LoadedTarget[] = [];
  // One at a time: each load is a Nest preview context, and the messages name the first failure.
  for (const target of targets) {
    loaded.push({ target, ...(await routesAndProfile(target.module, optionsOf(target, shared))) });
  }
  return loaded;
}

/** Routes of different apps that one request can reach: Oathkeeper forwards it to one upstream. */
function crossAppConflicts(apps: readonly LoadedTarget[]): string[] {
  const conflicts = new Set<string>();
  apps.forEach((app, index) => {
    for (const other of apps.slice(index + 1)) {
      for (const route of app.routes) {
        for (const theirs of other.routes) {
          if (route.method !== theirs.method || !pathsOverlap(route.path, theirs.path)) continue;
          conflicts.add(
            `${route.source} (${app.target.upstream}) and ${theirs.source} (${other.target.upstream})`,
          );
        }
      }
    }
  });
  return [...conflicts];
}

/**
 * One rules file for several apps behind one Oathkeeper, each app's rules forwarding to its own
 * upstream. Throws `AccessRuleConflictError` when a request could reach routes of two apps (or,
 * within an app, routes of different access), and an `Error` when two apps share an upstream or
 * would produce the same rule id (give each an `idPrefix`).
 *
 * ```ts
 * const rules = await accessRulesForApps(
 *   [
 *     { module: AuthAppModule, upstream: 'http://auth-bff:3000', idPrefix: 'auth-bff' },
 *     { module: OrdersAppModule, upstream: 'http://orders-api:3000' },
 *   ],
 *   { matchOrigin: 'https://api.example.com' },
 * );
 * ```
 */
export async function accessRulesForApps(
  targets: readonly AppRulesTarget[],
  shared: SharedRulesOptions,
): Promise<OathkeeperAccessRule[]> {
  const apps = await loadTargets(targets, shared);
  const conflicts = crossAppConflicts(apps);
  if (conflicts.length > 0) {
    throw new AccessRuleConflictError(
      conflicts,
      ' Routes of different apps need distinct paths: a request is forwarded to one upstream.',
    );
  }
  const owners = new Map<string, AppRulesTarget>();
  const rules: OathkeeperAccessRule[] = [];
  for (const { target, routes, profile } of apps) {
    for (const rule of generateAccessRules(routes, profile, optionsOf(target, shared))) {
      const owner = owners.get(rule.id);
      if (owner !== undefined) {
        throw new Error(
          `the apps forwarding to ${owner.upstream} and ${target.upstream} both produce rule "${rule.id}": give each app its own idPrefix (--id-prefix)`,
        );
      }
      owners.set(rule.id, target);
      rules.push(rule);
    }
  }
  return rules;
}

/**
 * What is wrong with one rules file for several apps, one line per problem: each app's routes
 * are checked against the rules forwarding to its upstream (as `checkAccessRulesForApp`
 * does), and a rule forwarding to none of the apps is a rule without a route.
 */
export async function checkAccessRulesForApps(
  targets: readonly AppRulesTarget[],
  parsedRules: unknown,
  shared: SharedRulesOptions,
): Promise<string[]> {
  const apps = await loadTargets(targets, shared);
  const { rules, problems } = readAccessRules(parsedRules);
  // A Set: rules that every app reads (an unreadable match.url) would be reported once per app.
  const found = new Set(problems);
  for (const { target, routes, profile } of apps) {
    for (const problem of checkAccessRules(rules, routes, profile, optionsOf(target, shared))) {
      found.add(problem);
    }
  }
  const upstreams = new Set(targets.map((target) => target.upstream));
  for (const rule of rules) {
    if (!upstreams.has(rule.upstream.url)) {
      found.add(
        `rule "${rule.id}" forwards to ${rule.upstream.url}, the upstream of none of the apps (a rule without a route)`,
      );
    }
  }
  return [...found];
}
