import type { AccessRuleHandler, OathkeeperAccessRule } from './access-rule.js';
import { requiredScopes } from './route-access.js';
import type { RouteEntry } from './route-table.js';
import { OAUTH2_AUTHENTICATORS } from './rule-pipeline.js';
import type { ServiceProfile } from './service-profile.js';

function idTokenOf(rule: OathkeeperAccessRule): AccessRuleHandler | undefined {
  return rule.mutators.find((mutator) => mutator.handler === 'id_token');
}

function handlerNames(rule: OathkeeperAccessRule): string[] {
  return rule.authenticators.map((authenticator) => authenticator.handler);
}

/** The rule mints tokens under `serviceIssuer`: the service takes their subject for a machine. */
function mintsServiceTokens(rule: OathkeeperAccessRule, profile: ServiceProfile): boolean {
  const issuer = idTokenOf(rule)?.config?.issuer_url;
  return profile.serviceIssuer !== undefined && issuer === profile.serviceIssuer;
}

/**
 * A rule for machine callers: only OAuth2 authenticators and, under the `oathkeeper` transport,
 * tokens minted under `serviceIssuer`.
 */
export function isServiceRule(rule: OathkeeperAccessRule, profile: ServiceProfile): boolean {
  const names = handlerNames(rule);
  return (
    names.length > 0 &&
    names.every((name) => OAUTH2_AUTHENTICATORS.includes(name)) &&
    (!profile.expectsIdToken || mintsServiceTokens(rule, profile))
  );
}

/**
 * A rule that lets one kind of caller through as the other, whatever routes it serves: one
 * minting `serviceIssuer` tokens with an authenticator that is not OAuth2 (a user, or anyone,
 * would reach the service as a machine), or one minting user tokens with an OAuth2
 * authenticator (a machine would reach it as a user).
 */
export function callerMixProblems(rule: OathkeeperAccessRule, profile: ServiceProfile): string[] {
  const names = handlerNames(rule);
  const oauth2 = names.filter((name) => OAUTH2_AUTHENTICATORS.includes(name));
  const others = names.filter((name) => !OAUTH2_AUTHENTICATORS.includes(name));
  if (mintsServiceTokens(rule, profile)) {
    return others.length === 0
      ? []
      : [
          `rule "${rule.id}" mints tokens under the service issuer ${profile.serviceIssuer} but lists ${others.join(', ')}: callers that are no OAuth2 client would reach the service as machine callers; a service rule lists only ${OAUTH2_AUTHENTICATORS.join(' or ')}`,
        ];
  }
  if (idTokenOf(rule) !== undefined && oauth2.length > 0) {
    return [
      `rule "${rule.id}" mints user tokens but lists ${oauth2.join(', ')}: a machine caller would reach the service as a user (the service tells them apart by oathkeeper.serviceIssuer); give service routes rules of their own`,
    ];
  }
  return [];
}

function sameScopes(configured: unknown, wanted: readonly string[]): boolean {
  const listed = configured === undefined ? [] : configured;
  if (!Array.isArray(listed)) return false;
  const sorted = [...new Set(listed.map(String))].sort();
  return sorted.length === wanted.length && sorted.every((scope, index) => scope === wanted[index]);
}

/**
 * Problems of the rule behind a service route: it must be a service rule (one minting service
 * tokens beside other authenticators is {@link callerMixProblems}'s), and ask the introspection
 * for exactly the route's scopes: fewer lets tokens through that the service then refuses with
 * 403, more refuses callers the service would admit.
 */
export function serviceRouteProblems(
  route: RouteEntry,
  rule: OathkeeperAccessRule,
  profile: ServiceProfile,
): string[] {
  if (!isServiceRule(rule, profile)) {
    if (mintsServiceTokens(rule, profile)) return [];
    const issuer = idTokenOf(rule)?.config?.issuer_url;
    const minted = profile.expectsIdToken
      ? `, minting tokens under ${issuer === undefined ? "Oathkeeper's default issuer" : String(issuer)}`
      : '';
    return [
      `service route ${route.source} is behind rule "${rule.id}", which is not a service rule (authenticators ${handlerNames(rule).join(', ')}${minted}): machine callers cannot pass it`,
    ];
  }
  const wanted = requiredScopes(route);
  return rule.authenticators
    .filter((authenticator) => !sameScopes(authenticator.config?.required_scope, wanted))
    .map(
      (authenticator) =>
        `rule "${rule.id}": ${authenticator.handler} required_scope ${JSON.stringify(authenticator.config?.required_scope ?? [])} differs from the scopes of ${route.source} ${JSON.stringify(wanted)}`,
    );
}

/**
 * Problems of a service rule itself, once per rule: an introspection URL other than the one
 * given, and a token without the client id (the service requires it equal to the subject).
 */
export function serviceRuleProblems(
  rule: OathkeeperAccessRule,
  profile: ServiceProfile,
  introspectionUrl: string | undefined,
): string[] {
  if (!isServiceRule(rule, profile)) return [];
  const problems: string[] = [];
  for (const { handler, config } of rule.authenticators) {
    if (
      introspectionUrl !== undefined &&
      handler === 'oauth2_introspection' &&
      config?.introspection_url !== introspectionUrl
    ) {
      problems.push(
        `rule "${rule.id}": oauth2_introspection asks ${JSON.stringify(config?.introspection_url ?? null)}, not ${introspectionUrl} (--introspection-url)`,
      );
    }
  }
  const claims = idTokenOf(rule)?.config?.claims;
  if (typeof claims === 'string' && !/"client_id"\s*:/.test(claims)) {
    problems.push(
      `rule "${rule.id}": the service rule's claims template sets no "client_id"; the service requires it equal to the subject (401 auth.failure.malformed)`,
    );
  }
  return problems;
}
