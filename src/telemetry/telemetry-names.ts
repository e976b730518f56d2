/*
 * The names of every span, metric and attribute the library records (docs/observability.md lists
 * them; change both together). OpenTelemetry semantic conventions where one exists, `iam.*`
 * otherwise. Attribute values are bounded: no ids, paths or tokens, except the subject id on
 * decision spans (`enduser.id`, which `telemetry.recordSubject: false` drops).
 */

/**
 * Span attributes as the library sets them. Its own type rather than the API's `Attributes`, so
 * that the published declarations never name `@opentelemetry/api`, an optional peer dependency.
 */
export type SpanValues = Readonly<Record<string, string | number | boolean>>;

/** Instrumentation scope of the tracer and the meter. */
export const SCOPE_NAME = 'nestjs-ory-iam';

export const SPAN_AUTHENTICATE = 'iam.authenticate';
export const SPAN_AUTHORIZE_ROLE = 'iam.authorize.role';
export const SPAN_AUTHORIZE_PERMISSION = 'iam.authorize.permission';

export const METRIC_DECISIONS = 'iam.decisions';
export const METRIC_VERIFICATION_DURATION = 'iam.verification.duration';
export const METRIC_UPSTREAM_DURATION = 'iam.upstream.duration';
export const METRIC_JWKS_KEYS = 'iam.jwks.keys';
export const METRIC_JWKS_AGE = 'iam.jwks.refresh_age';
/** 0 closed, 1 half-open, 2 open; by tenant and `iam.breaker.upstream`. */
export const METRIC_BREAKER_STATE = 'iam.upstream.breaker.state';
export const METRIC_UPSTREAM_IN_FLIGHT = 'iam.upstream.in_flight';
/** Lookups in the Keto decision cache, by tenant and `iam.cache_hit`. */
export const METRIC_DECISION_CACHE_LOOKUPS = 'iam.decision_cache.lookups';
/** Token ids the in-memory replay cache holds, by tenant. */
export const METRIC_REPLAY_ENTRIES = 'iam.replay.entries';
/** Tokens the replay store refused without knowing them replayed, by tenant and `iam.reason`. */
export const METRIC_REPLAY_REFUSALS = 'iam.replay.refusals';

export const ATTR_TENANT = 'iam.tenant';
export const ATTR_TRANSPORT = 'iam.transport';
/** authenticate | role | permission */
export const ATTR_DECISION = 'iam.decision';
/** Decisions: allow | deny | anonymous | none | unavailable. Upstream calls: ok | error. */
export const ATTR_OUTCOME = 'iam.outcome';
/** The stable error code of a rejection (src/errors/error-codes.ts). */
export const ATTR_CODE = 'iam.code';
/** kratos | keto | jwks | replay */
export const ATTR_UPSTREAM = 'iam.upstream';
/** The guarded upstream of a breaker or bulkhead: kratos-public, keto-read, redis-replay, ... */
export const ATTR_BREAKER_UPSTREAM = 'iam.breaker.upstream';
/** A fixed name of the call, e.g. `Keto check`. */
export const ATTR_OPERATION = 'iam.operation';
/** Attempts made by a Kratos or Keto call (retries + 1). */
export const ATTR_ATTEMPTS = 'iam.attempts';
/** A cache answered the authentication: the verified-token cache, or the Kratos session cache. */
export const ATTR_CACHE_HIT = 'iam.cache_hit';
/** Why the replay store refused a token: tenant_full | subject_share | state_lost. */
export const ATTR_REASON = 'iam.reason';
/** Permission checks in the request's batch. */
export const ATTR_CHECKS = 'iam.checks';

export const ATTR_ENDUSER_ID = 'enduser.id';
export const ATTR_ERROR_TYPE = 'error.type';
export const ATTR_HTTP_METHOD = 'http.request.method';
export const ATTR_HTTP_STATUS = 'http.response.status_code';
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';

/** Seconds: verification is sub-millisecond on a cache hit, upstream calls up to the deadline. */
export const DURATION_BUCKETS_SECONDS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];
