import type { AccessRuleHandler } from './access-rule.js';
import type { RouteKind } from './route-table.js';
import type { ServiceProfile } from './service-profile.js';

/** Authenticators that only pass requests through; any other one checks credentials. */
export const PASS_THROUGH_AUTHENTICATORS: readonly string[] = ['anonymous', 'noop'];

/** Authenticators of machine callers' OAuth2 access tokens: the only ones a service rule may list. */
export const OAUTH2_AUTHENTICATORS: readonly string[] = [
  'oauth2_introspection',
  'oauth2_client_credentials',
];

/** Default authenticators of routes that need a Kratos session: the cookie, then a session token. */
export const DEFAULT_SESSION_AUTHENTICATORS: readonly string[] = ['cookie_session', 'bearer_token'];

/** Template functions whose value differs on every request, which defeats Oathkeeper's token cache. */
export const PER_REQUEST_TEMPLATE =
  /\{\{[^}]*\b(uuidv4|randAlphaNum|randAlpha|randNumeric|randAscii)\b/;

/** What Oathkeeper does with the requests of one kind of route. */
export interface RulePipeline {
  readonly authenticators: readonly AccessRuleHandler[];
  readonly authorizer: AccessRuleHandler;
  readonly mutators: readonly AccessRuleHandler[];
}

/**
 * The claims every token for this service carries, as template lines: the audience and tenant
 * it checks and, with replay protection, a per-request `jti`: Oathkeeper caches the signed token
 * per rendered claims and would otherwise resend the same `jti`.
 */
function commonClaimLines(profile: ServiceProfile): string[] {
  const fixed: Record<string, unknown> = {};
  if (profile.audience !== undefined) fixed.aud = [profile.audience];
  const path = profile.tenantClaim.split('.');
  let holder = fixed;
  path.slice(0, -1).forEach((part) => {
    const next: Record<string, unknown> = {};
    holder[part] = next;
    holder = next;
  });
  holder[path[path.length - 1] ?? 'tenant'] = profile.tenant;
  const lines = Object.entries(fixed).map(
    ([key, value]) => `  ${JSON.stringify(key)}: ${JSON.stringify(value)}`,
  );
  if (profile.replayProtection) lines.push('  "jti": "{{ uuidv4 }}"');
  return lines;
}

/**
 * The `id_token` claims template of user rules: the service's claims and `metadataPublic`
 * (where roles are read by default).
 */
export function claimsTemplate(profile: ServiceProfile): string {
  const lines = commonClaimLines(profile);
  lines.push('  "metadataPublic": {{ .Extra.identity.metadata_public | toJson }}');
  return `{\n${lines.join(',\n')}\n}`;
}

/**
 * The `id_token` claims template of service rules: the service's claims, and the client id and
 * space-separated scopes that `oauth2_introspection` put into the session's `Extra`. Through
 * `toJson`, not a quoted `print`, which does not escape: a client scope holding `", "tenant": "x`
 * would add a later duplicate key, and Go's JSON keeps the last one.
 */
export function serviceClaimsTemplate(profile: ServiceProfile): string {
  const lines = commonClaimLines(profile);
  lines.push('  "client_id": {{ .Extra.client_id | toJson }}');
  lines.push('  "scope": {{ .Extra.scope | toJson }}');
  return `{\n${lines.join(',\n')}\n}`;
}

/** What the rules of all routes share. */
export interface PipelineOptions {
  /** Authenticators of routes that need a session. */
  readonly sessionAuthenticators: readonly string[];
  /** Written into every `oauth2_introspection` authenticator when given. */
  readonly introspectionUrl?: string;
}

const ALLOW: AccessRuleHandler = { handler: 'allow' };
const NOOP: AccessRuleHandler = { handler: 'noop' };

/**
 * A service route's pipeline: `oauth2_introspection` alone (a session must not open it) asking
 * Hydra for the route's scopes and, under the `oathkeeper` transport, for a token meant for the
 * service's audience; then an `id_token` under `serviceIssuer`. Under the Kratos transports the
 * access token passes unchanged and the service's `oauth2` section verifies it again.
 */
function servicePipeline(
  profile: ServiceProfile,
  options: PipelineOptions,
  scopes: readonly string[],
  sources: readonly string[],
): RulePipeline {
  const introspection: Record<string, unknown> = { required_scope: [...scopes] };
  if (profile.expectsIdToken && profile.audience !== undefined) {
    introspection.target_audience = [profile.audience];
  }
  if (options.introspectionUrl !== undefined) {
    introspection.introspection_url = options.introspectionUrl;
  }
  const authenticators = [{ handler: 'oauth2_introspection', config: introspection }];
  if (!profile.expectsIdToken) return { authenticators, authorizer: ALLOW, mutators: [NOOP] };
  if (profile.serviceIssuer === undefined) {
    throw new Error(
      `service routes (@RequireService/@RequireScope) need tenant "${profile.tenant}"'s oathkeeper.serviceIssuer, the issuer their rules mint machine callers' tokens under: ${sources.join('; ')}`,
    );
  }
  return {
    authenticators,
    authorizer: ALLOW,
    mutators: [
      {
        handler: 'id_token',
        config: { issuer_url: profile.serviceIssuer, claims: serviceClaimsTemplate(profile) },
      },
    ],
  };
}

/**
 * The pipeline of a kind of route. Under the `oathkeeper` transport an authenticated route gets
 * an `id_token`; an `@Anonymous()` route cannot be expressed there (Oathkeeper would mint a token
 * for its anonymous subject too, and the service would take it for an identity), so it throws.
 * Under the Kratos transports the credentials pass unchanged and the service checks them again.
 * `sources` name every route of the kind, for the errors; `scopes` are a service route's.
 */
export function pipelineOf(
  kind: RouteKind,
  profile: ServiceProfile,
  options: PipelineOptions,
  sources: readonly string[],
  scopes: readonly string[] = [],
): RulePipeline {
  const sessions = options.sessionAuthenticators.map((handler) => ({ handler }));
  if (kind === 'service') return servicePipeline(profile, options, scopes, sources);
  if (kind === 'public') {
    return { authenticators: [{ handler: 'anonymous' }], authorizer: ALLOW, mutators: [NOOP] };
  }
  if (kind === 'anonymous') {
    if (profile.expectsIdToken) {
      throw new Error(
        `@Anonymous() routes cannot be served through Oathkeeper's id_token (it would mint a token for the anonymous subject): ${sources.join('; ')}. Make them @Public() or authenticated.`,
      );
    }
    return {
      authenticators: [...sessions, { handler: 'anonymous' }],
      authorizer: ALLOW,
      mutators: [NOOP],
    };
  }
  if (!profile.expectsIdToken) {
    return { authenticators: sessions, authorizer: ALLOW, mutators: [NOOP] };
  }
  const config: Record<string, unknown> = { claims: claimsTemplate(profile) };
  if (profile.issuer !== undefined) config.issuer_url = profile.issuer;
  return {
    authenticators: sessions,
    authorizer: ALLOW,
    mutators: [{ handler: 'id_token', config }],
  };
}
