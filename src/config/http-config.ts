/**
 * The circuit breaker of each upstream of a tenant (Kratos public, Kratos admin, Keto read, Keto
 * write, Redis). After `failureThreshold` outages in a row (no answer, timeout, 5xx, 429) it opens:
 * calls answer 503 `upstream.circuit_open` at once, with `Retry-After` set to the time left until
 * the next probe. After `halfOpenAfterMs` one call is let through as a probe (the others still get
 * 503 at once); its success closes the breaker, its failure opens it again. An answer such as
 * 401 or 404 is no outage and ends a run of failures.
 */
export interface BreakerConfig {
  /** Default true. */
  enabled?: boolean;
  /** Outages in a row that open the breaker. Default 5. */
  failureThreshold?: number;
  /** How long an open breaker waits before letting one probe through. Default 5000. */
  halfOpenAfterMs?: number;
}

/** A tenant's `http` block: how the library calls Kratos, Keto and the Redis stores. */
export interface HttpClientConfig {
  /** Timeout of one attempt of a call to Kratos or Keto. Default 1000. */
  timeoutMs?: number;
  /**
   * Retries of idempotent reads on network errors, timeouts, 5xx and 429, each only if the
   * deadline left holds its backoff and a whole `timeoutMs`. Default 2.
   */
  retries?: number;
  /**
   * Budget of all the upstream work of one request (Kratos, Keto, a JWKS refetch, the replay
   * store), and of each Ory call a service makes. Default 3000.
   */
  deadlineMs?: number;
  /**
   * Most calls in flight at once to each upstream of this tenant, in this process; one more
   * answers 503 `upstream.saturated` at once instead of waiting. Default 64.
   */
  maxConcurrent?: number;
  /** Circuit breaker of each upstream of this tenant. Default: on, see {@link BreakerConfig}. */
  breaker?: BreakerConfig;
}

/** The `http` block after validation. */
export interface ValidatedHttpConfig {
  readonly timeoutMs: number;
  readonly retries: number;
  readonly deadlineMs: number;
  readonly maxConcurrent: number;
  readonly breaker: Readonly<Required<BreakerConfig>>;
}
