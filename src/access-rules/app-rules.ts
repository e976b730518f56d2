import type { Type } from '@nestjs/common';
import type { IamModuleOptions } from '../config/module-options.js';
import type { OathkeeperAccessRule } from './access-rule.js';
import { checkAccessRules } from './check-rules.js';
import { generateAccessRules, type RuleTargetOptions } from './generate-rules.js';
import { loadApp } from './load-app.js';
import { readAccessRules } from './read-rules.js';
import { type RouteEntry, type RouteTableOptions, readRouteTable } from './route-table.js';
import { type ServiceProfile, serviceProfile } from './service-profile.js';

/** Options of {@link accessRulesForApp} and {@link checkAccessRulesForApp}. */
export interface AppAccessRulesOptions extends RuleTargetOptions, RouteTableOptions {
  /** The tenant the rules serve. Default: `defaultTenant`, else the only tenant. */
  readonly tenant?: string;
  /**
   * `IamModule`'s options, needed when the app uses `forRootAsync` (its factory is not run).
   * Default: the options the app passes to `IamModule.forRoot`.
   */
  readonly iamOptions?: IamModuleOptions;
}

/** The routes of an app and what its `IamModule` expects of the rules, read without starting it. */
export async function routesAndProfile(
  module: Type<unknown>,
  options: AppAccessRulesOptions,
): Promise<{ routes: RouteEntry[]; profile: ServiceProfile }> {
  const app = await loadApp(module);
  const iamOptions = options.iamOptions ?? app.iamOptions;
  if (iamOptions === undefined) {
    throw new Error(
      app.hasIamModule
        ? `${module.name} configures IamModule with forRootAsync, whose factory is not run here: pass its options as iamOptions`
        : `${module.name} does not import IamModule`,
    );
  }
  const profile = serviceProfile(iamOptions, options.tenant);
  return { routes: readRouteTable(app.controllers, profile.globalGuard, options), profile };
}

/**
 * Oathkeeper access rules for every route of a Nest app, read from its module without starting
 * it (no provider is instantiated). Throws `AccessRuleConflictError` when routes that need
 * different access can match the same request, and an `Error` naming the routes for service
 * routes (`@RequireService`/`@RequireScope`) of an `oathkeeper` tenant without
 * `oathkeeper.serviceIssuer` or routes asking for both a user and a service.
 *
 * ```ts
 * const rules = await accessRulesForApp(AppModule, {
 *   matchOrigin: 'https://api.example.com',
 *   upstream: 'http://orders-api:3000',
 * });
 * ```
 */
export async function accessRulesForApp(
  module: Type<unknown>,
  options: AppAccessRulesOptions,
): Promise<OathkeeperAccessRule[]> {
  const { routes, profile } = await routesAndProfile(module, options);
  return generateAccessRules(routes, profile, options);
}

/**
 * What is wrong with a rules file (its parsed JSON or YAML) for a Nest app, one line per problem:
 * routes without a rule, rules without a route, requests matching several rules, access that
 * differs from the decorators, methods, and the `id_token`'s audience, tenant and per-request
 * `jti`. For service routes: rules that let users and machine callers through as each other,
 * `required_scope` that differs from the route's scopes, and an `introspection_url` other than
 * `introspectionUrl` when given. Rules of other upstreams are only checked for overlaps with
 * this app's routes.
 */
export async function checkAccessRulesForApp(
  module: Type<unknown>,
  parsedRules: unknown,
  options: AppAccessRulesOptions,
): Promise<string[]> {
  const { routes, profile } = await routesAndProfile(module, options);
  const { rules, problems } = readAccessRules(parsedRules);
  return [...problems, ...checkAccessRules(rules, routes, profile, options)];
}
