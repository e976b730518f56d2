import type { AccessRuleHandler } from './access-rule.js';
import type { RouteKind } from './route-table.js';
import type { ServiceProfile } from './service-profile.js';

/** Authenticators that only pass requests through; any other one checks credentials. */
export const PASS_THROUGH_AUTHENTICATORS: readonly string[] = ['anonymous', 'noop'];

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
 * The `id_token` claims template: the audience and tenant the service checks, `metadataPublic`
 * (where roles are read by default) and, with replay protection, a per-request `jti`: Oathkeeper
 * caches the signed token per rendered claims and would otherwise resend the same `jti`.
 */
export function claimsTemplate(profile: ServiceProfile): string {
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
  lines.push('  "metadataPublic": {{ .Extra.identity.metadata_public | toJson }}');
  return `{\n${lines.join(',\n')}\n}`;
}

/**
 * The pipeline of a kind of route. Under the `oathkeeper` transport an authenticated route gets
 * an `id_token`; an `@Anonymous()` route cannot be expressed there (Oathkeeper would mint a token
 * for its anonymous subject too, and the service would take it for an identity), so it throws.
 * Under the Kratos transports the credentials pass unchanged and the service checks them again.
 */
export function pipelineOf(
  kind: RouteKind,
  profile: ServiceProfile,
  sessionAuthenticators: readonly string[],
  sources: readonly string[],
): RulePipeline {
  const allow = { handler: 'allow' };
  const sessions = sessionAuthenticators.map((handler) => ({ handler }));
  if (kind === 'public') {
    return {
      authenticators: [{ handler: 'anonymous' }],
      authorizer: allow,
      mutators: [{ handler: 'noop' }],
    };
  }
  if (kind === 'anonymous') {
    if (profile.expectsIdToken) {
      throw new Error(
        `@Anonymous() routes cannot be served through Oathkeeper's id_token (it would mint a token for the anonymous subject): ${sources.join('; ')}. Make them @Public() or authenticated.`,
      );
    }
    return {
      authenticators: [...sessions, { handler: 'anonymous' }],
      authorizer: allow,
      mutators: [{ handler: 'noop' }],
    };
  }
  if (!profile.expectsIdToken) {
    return { authenticators: sessions, authorizer: allow, mutators: [{ handler: 'noop' }] };
  }
  const config: Record<string, unknown> = { claims: claimsTemplate(profile) };
  if (profile.issuer !== undefined) config.issuer_url = profile.issuer;
  return {
    authenticators: sessions,
    authorizer: allow,
    mutators: [{ handler: 'id_token', config }],
  };
}
