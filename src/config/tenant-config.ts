import type { HttpClientConfig, ValidatedHttpConfig } from './http-config.js';
import type { KetoConfig, ValidatedKetoConfig } from './keto-config.js';
import type { OAuth2Config, ValidatedOAuth2Config } from './oauth2-config.js';
import type { ServiceTokensConfig, ValidatedServiceTokensConfig } from './service-tokens-config.js';

/** How a tenant's requests prove who sent them. */
export type TransportKind = 'oathkeeper' | 'cookie' | 'bearer' | 'cookie-or-bearer';

/** Signature algorithms accepted for Oathkeeper JWTs. `none` and HMAC algorithms are never accepted. */
export type JwtAlgorithm =
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA';

/**
 * How a Kratos identity shows which tenant it belongs to, when the transport asks Kratos:
 * - a dot path into `metadata_public` or `traits` whose value must be the tenant's name
 *   (`'metadata_public.tenant'`; users can edit their own traits, so bind by a trait only if
 *   they cannot change that one);
 * - `'kratos-url'`: the tenant's Kratos serves no other tenant, so its URL alone binds;
 * - `'none'`: every identity of the tenant's Kratos is accepted, even one of another tenant.
 */
export type KratosTenantBinding =
  | 'kratos-url'
  | 'none'
  | `metadata_public.${string}`
  | `traits.${string}`;

export interface KratosConfig {
  /** Kratos public API, e.g. `http://127.0.0.1:4433`. */
  publicUrl: string;
  /** Kratos admin API, needed by `IdentityService` and session administration. */
  adminUrl?: string;
  /** Bearer token sent to the admin API (Ory Network API key or a gateway secret). */
  adminToken?: string;
  /** Name of the session cookie forwarded to Kratos. Default `ory_kratos_session`. */
  sessionCookieName?: string;
  /** Short-lived cache of Kratos sessions, so not every request asks Kratos. Default: off. */
  sessionCache?: SessionCacheConfig;
  /**
   * How an identity shows it belongs to this tenant. Default `'kratos-url'` (the tenant has a
   * Kratos of its own); tenants sharing one Kratos must set it (boot fails otherwise).
   */
  tenantBinding?: KratosTenantBinding;
  /** Refusing cross-site requests that ride on the session cookie. Default: on, see {@link CsrfConfig}. */
  csrf?: CsrfConfig;
}

/**
 * A browser sends the session cookie with requests that other sites make it send (a form POST to
 * your API from a page of theirs). With this on (the default), a request authenticated by the
 * cookie with an unsafe method (anything but GET, HEAD, OPTIONS) is 403 `auth.csrf.origin_mismatch`
 * when the browser says it comes from another site: `Sec-Fetch-Site` is `same-site` or
 * `cross-site`, or (from browsers that send no `Sec-Fetch-Site`) `Origin` is neither the request's
 * own host nor a trusted origin. Requests with neither header (non-browser clients) pass, and
 * session tokens are never checked: a browser does not attach them on its own.
 */
export interface CsrfConfig {
  /** Default true under `kratos` (cookies ride along on cross-site requests), false under `oathkeeper`. */
  enabled?: boolean;
  /** Origins of other sites that may send such requests, e.g. `https://app.example.com`. Default none. */
  trustedOrigins?: string[];
}

/**
 * A cached session stays valid for up to `ttlMs` after it was revoked in Kratos (in every pod whose
 * cache holds it), never longer than the session's own `expires_at`.
 */
export interface SessionCacheConfig {
  enabled: boolean;
  /** How long one answer from Kratos is reused. Default 10000. */
  ttlMs?: number;
}

export interface JwksConfig {
  /** Oathkeeper's JWKS, e.g. `http://127.0.0.1:4456/.well-known/jwks.json`. */
  url: string;
  /** Default `['RS256']`. */
  algorithms?: JwtAlgorithm[];
  /** Periodic refresh. Default 600000 (10 min). */
  refreshIntervalMs?: number;
  /** Minimum time between refetches triggered by an unknown `kid`. Default 30000. */
  cooldownMs?: number;
  /** Timeout of one JWKS fetch. Default 5000. */
  timeoutMs?: number;
  /** Largest JWKS response body accepted, in bytes; a larger one is a failed fetch. Default 1048576. */
  maxBytes?: number;
  /** Most keys a JWKS may list; one with more is a failed fetch. Default 100. */
  maxKeys?: number;
  /**
   * How long the keys of the last successful fetch keep verifying while every later fetch fails;
   * after that, requests get 503. Must exceed `refreshIntervalMs`. Default 86400000 (24 h).
   */
  maxStaleMs?: number;
}

export interface ReplayProtectionConfig {
  enabled: boolean;
  /** How long a `jti` is remembered, at least until the token's `exp` plus skew. Default 120000. */
  ttlMs?: number;
  /**
   * A token is expired once `iat` plus this (plus skew) has passed, even before its `exp`; tokens
   * must then carry `iat`. Bounds how long jtis are held whatever the gateway's token lifetime.
   * `false` turns it off. Default 60000.
   */
  maxTokenAgeMs?: number | false;
  /** Most live jtis of this tenant in the built-in in-memory cache, per process. Default 1000000. */
  maxEntries?: number;
  /** Most of `maxEntries` one subject may hold, in percent (1-100). Default 10. */
  maxSubjectSharePercent?: number;
}

export interface OathkeeperConfig {
  /** `jwt` (asymmetric, recommended) or the legacy shared-secret `hmac`. Default `jwt`. */
  verifier?: 'jwt' | 'hmac';
  /** Required for `verifier: 'jwt'`. */
  jwks?: JwksConfig;
  /** When set, the `iss` claim must equal it. */
  issuer?: string;
  /**
   * The `issuer_url` of the Oathkeeper rules that authenticate machine callers
   * (`oauth2_introspection` against Hydra): a token with this `iss` is a service's, not a user's
   * (see docs/machine-identities.md). Absolute URL, compared exactly; needs `issuer`, from which it
   * must differ; only with verifier `jwt`. Absent: such tokens are refused (issuer mismatch).
   */
  serviceIssuer?: string;
  /** The `aud` claim must contain it. Required for `verifier: 'jwt'`. */
  audience?: string;
  /** Leeway for `exp`, `nbf` and `iat`. Default 30000. */
  clockSkewMs?: number;
  /** Default: disabled. */
  replayProtection?: ReplayProtectionConfig;
  /** Header carrying the JWT (`Authorization` accepts `Bearer <jwt>` and a bare JWT). Default `X-User`. */
  identityHeader?: string;
  /** Header carrying the HMAC in `hmac` mode. Default `X-User-Signature`. */
  signatureHeader?: string;
  /** Shared secret of `hmac` mode, at least 32 characters. */
  hmacSecret?: string;
  /** Largest accepted token in bytes; larger ones are rejected before any work. Default 8192. */
  maxTokenBytes?: number;
  /**
   * The CSRF check of the cookie transport (see {@link CsrfConfig}), for when Oathkeeper turns a
   * session cookie into the token (its `cookie_session` authenticator): the browser attached the
   * cookie, Oathkeeper forwards `Origin` and `Sec-Fetch-Site`. Default off: with bearer clients on
   * other origins, list them in `trustedOrigins` before turning it on.
   */
  csrf?: CsrfConfig;
}

export interface ClaimMappingConfig {
  /** Dot paths tried in order for the roles array. Default `['metadataPublic.roles', 'metadata_public.roles']`. */
  roles?: string | string[];
  /** Claim naming the token's tenant. Default `tenant`. */
  tenant?: string;
  /**
   * Accept credentials that name no tenant: a JWT or HMAC header without the tenant claim, a
   * Kratos identity without its `tenantBinding` value. Default false, except for an `hmac` tenant
   * whose secret no other tenant holds (the secret itself binds the tenant).
   */
  allowMissingTenant?: boolean;
}

export interface CloudConfig {
  /** Ory Network project slug; Kratos and Keto URLs derive from it. */
  projectSlug?: string;
  /** Full SDK URL (e.g. `https://<slug>.projects.oryapis.com`), instead of the slug. */
  sdkUrl?: string;
  /** Custom domain for the public (browser-facing) Kratos URL. */
  customDomain?: string;
  /** Ory Network API key, sent to admin APIs. */
  apiKey: string;
}

/**
 * One tenant's configuration as you write it. Fields with defaults are optional; the validated,
 * frozen result is {@link ValidatedTenantConfig}.
 */
export interface TenantConfig {
  /** Default `self-hosted`. */
  mode?: 'self-hosted' | 'cloud';
  transport: TransportKind;
  /** Honour `X-Forwarded-*` for client IP and host. Default false. */
  trustProxy?: boolean;
  /** Required except for `transport: 'oathkeeper'` and `mode: 'cloud'`. */
  kratos?: KratosConfig;
  keto?: KetoConfig;
  /** Required for `transport: 'oathkeeper'`. */
  oathkeeper?: OathkeeperConfig;
  /** Machine callers' OAuth2 JWT access tokens (docs/machine-identities.md). Default off. */
  oauth2?: OAuth2Config;
  /**
   * This service's own OAuth2 client at Hydra, for `ServiceTokens` (outgoing calls to other
   * services; docs/service-to-service.md). Default off.
   */
  serviceTokens?: ServiceTokensConfig;
  cloud?: CloudConfig;
  claims?: ClaimMappingConfig;
  http?: HttpClientConfig;
}

type DeepRequired<T> = { readonly [K in keyof T]-?: T[K] };

export interface ValidatedJwksConfig extends DeepRequired<Omit<JwksConfig, 'algorithms'>> {
  readonly algorithms: readonly JwtAlgorithm[];
}

export interface ValidatedOathkeeperConfig {
  readonly verifier: 'jwt' | 'hmac';
  readonly jwks?: ValidatedJwksConfig;
  readonly issuer?: string;
  readonly serviceIssuer?: string;
  readonly audience?: string;
  readonly clockSkewMs: number;
  readonly replayProtection: Readonly<Required<ReplayProtectionConfig>>;
  readonly identityHeader: string;
  readonly signatureHeader: string;
  readonly hmacSecret?: string;
  readonly maxTokenBytes: number;
  readonly csrf: ValidatedCsrfConfig;
}

export interface ValidatedKratosConfig {
  readonly publicUrl: string;
  readonly adminUrl?: string;
  readonly adminToken?: string;
  readonly sessionCookieName: string;
  /** Present only when configured; absent means no session cache. */
  readonly sessionCache?: Readonly<Required<SessionCacheConfig>>;
  /** Present exactly when the transport asks Kratos (cookie, bearer, cookie-or-bearer). */
  readonly tenantBinding?: KratosTenantBinding;
  readonly csrf: ValidatedCsrfConfig;
}

export interface ValidatedCsrfConfig {
  readonly enabled: boolean;
  readonly trustedOrigins: readonly string[];
}

export interface ValidatedClaimMapping {
  readonly roles: readonly string[];
  readonly tenant: string;
  readonly allowMissingTenant: boolean;
}

/** A tenant's configuration after validation: defaults applied, deeply frozen. */
export interface ValidatedTenantConfig {
  readonly name: string;
  readonly mode: 'self-hosted' | 'cloud';
  readonly transport: TransportKind;
  readonly trustProxy: boolean;
  readonly kratos?: ValidatedKratosConfig;
  readonly keto?: ValidatedKetoConfig;
  readonly oathkeeper?: ValidatedOathkeeperConfig;
  readonly oauth2?: ValidatedOAuth2Config;
  readonly serviceTokens?: ValidatedServiceTokensConfig;
  readonly cloud?: Readonly<CloudConfig>;
  readonly claims: ValidatedClaimMapping;
  readonly http: ValidatedHttpConfig;
}
