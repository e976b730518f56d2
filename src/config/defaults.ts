import type { JwtAlgorithm, TransportKind } from './tenant-config.js';

/*
 * Every default and limit of the module options, in one place. The configuration reference
 * (docs/configuration.md) documents these values; change both together.
 */

export const DEFAULT_GLOBAL = true;
/** A handler's `@RequireRole` replaces its class's, as it did before the option existed. */
export const DEFAULT_ROLE_COMBINATION = 'override';
export const ROLE_COMBINATIONS = ['override', 'all'] as const;

export const DEFAULT_MODE = 'self-hosted';
export const DEFAULT_TRUST_PROXY = false;
export const DEFAULT_SESSION_COOKIE_NAME = 'ory_kratos_session';
export const DEFAULT_SESSION_CACHE_TTL_MS = 10_000;
/** A tenant with a Kratos of its own; tenants sharing one must say how (boot refuses otherwise). */
export const DEFAULT_KRATOS_TENANT_BINDING = 'kratos-url';

export const DEFAULT_VERIFIER = 'jwt';
export const DEFAULT_JWT_ALGORITHMS: readonly JwtAlgorithm[] = ['RS256'];
export const DEFAULT_JWKS_REFRESH_INTERVAL_MS = 600_000;
export const DEFAULT_JWKS_COOLDOWN_MS = 30_000;
export const DEFAULT_JWKS_TIMEOUT_MS = 5_000;
export const DEFAULT_JWKS_MAX_BYTES = 1_048_576;
export const DEFAULT_JWKS_MAX_KEYS = 100;
export const DEFAULT_JWKS_MAX_STALE_MS = 86_400_000;
export const DEFAULT_CLOCK_SKEW_MS = 30_000;
export const DEFAULT_REPLAY_PROTECTION_ENABLED = false;
export const DEFAULT_REPLAY_TTL_MS = 120_000;
/** Oathkeeper mints a token (iat = nbf = now) just before forwarding it: a minute is ample. */
export const DEFAULT_REPLAY_MAX_TOKEN_AGE_MS = 60_000;
/** Per tenant, per process: about 8,000 unique tokens/s for a 120 s window; 32 MB when full. */
export const DEFAULT_REPLAY_MAX_ENTRIES = 1_000_000;
export const DEFAULT_REPLAY_MAX_SUBJECT_SHARE_PERCENT = 10;
/** Entry ids are int32 and the hash index a power of two. */
export const MAX_REPLAY_ENTRIES = 2 ** 30;
export const DEFAULT_IDENTITY_HEADER = 'X-User';
export const DEFAULT_SIGNATURE_HEADER = 'X-User-Signature';
export const DEFAULT_MAX_TOKEN_BYTES = 8_192;

export const DEFAULT_ROLES_CLAIM_PATHS: readonly string[] = [
  'metadataPublic.roles',
  'metadata_public.roles',
];
export const DEFAULT_TENANT_CLAIM = 'tenant';
export const DEFAULT_ALLOW_MISSING_TENANT = false;

/** One attempt; Kratos and Keto answer in milliseconds when they are well. */
export const DEFAULT_HTTP_TIMEOUT_MS = 1_000;
export const DEFAULT_HTTP_RETRIES = 2;
/** Per tenant and upstream, per process: far above what a healthy upstream keeps in flight. */
export const DEFAULT_HTTP_MAX_CONCURRENT = 64;
export const MAX_HTTP_MAX_CONCURRENT = 100_000;
export const DEFAULT_BREAKER_ENABLED = true;
export const DEFAULT_BREAKER_FAILURE_THRESHOLD = 5;
export const MAX_BREAKER_FAILURE_THRESHOLD = 1_000;
export const DEFAULT_BREAKER_HALF_OPEN_AFTER_MS = 5_000;
/** All the upstream work of one request: room for two whole attempts and their backoff. */
export const DEFAULT_HTTP_DEADLINE_MS = 3_000;

/** Asymmetric algorithms only: `none` and `HS*` would let anyone holding the public key sign. */
export const ALLOWED_JWT_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const satisfies readonly JwtAlgorithm[];

export const TRANSPORTS = [
  'oathkeeper',
  'cookie',
  'bearer',
  'cookie-or-bearer',
] as const satisfies readonly TransportKind[];

/** Transports that ask Kratos about a session on every request (so they need its public URL). */
export const KRATOS_TRANSPORTS: readonly TransportKind[] = ['cookie', 'bearer', 'cookie-or-bearer'];

/** Transports that read the session cookie (so the cookie's name must be right). */
export const COOKIE_TRANSPORTS: readonly TransportKind[] = ['cookie', 'cookie-or-bearer'];

export const MIN_HMAC_SECRET_LENGTH = 32;
export const MAX_HTTP_RETRIES = 10;
/** Node's timers fire at once for delays above this, so longer durations would silently become 1 ms. */
export const MAX_DURATION_MS = 2_147_483_647;

/** Ory Network serves every API of a project from `https://<slug>.projects.oryapis.com`. */
export const ORY_NETWORK_PROJECT_DOMAIN = 'projects.oryapis.com';
/** Ory Network names a project's session cookie `ory_session_<slug without hyphens>`. */
export const ORY_NETWORK_SESSION_COOKIE_PREFIX = 'ory_session_';

/** Keto's own default `limit.max_batch_check_size`. */
export const DEFAULT_KETO_MAX_BATCH_CHECK_SIZE = 10;
export const DEFAULT_DECISION_CACHE_TTL_MS = 2_000;
/** Decision caches are meant to be short: a revoke elsewhere is invisible for up to this long. */
export const MAX_DECISION_CACHE_TTL_MS = 60_000;
export const DEFAULT_DECISION_CACHE_MAX_ENTRIES = 10_000;
