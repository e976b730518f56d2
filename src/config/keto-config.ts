/** The `keto` block of a tenant: where Keto answers permission checks, and how its answers are reused. */
export interface KetoConfig {
  /** Keto read API, e.g. `http://127.0.0.1:4466`. Required in self-hosted mode. */
  readUrl?: string;
  /** Keto write API, needed by `PermissionService.grant/revoke`. */
  writeUrl?: string;
  adminToken?: string;
  /**
   * Most tuples per `/relation-tuples/batch/check` call; larger requests are split. Must not exceed
   * Keto's `limit.max_batch_check_size`. Default 10 (Keto's default).
   */
  maxBatchCheckSize?: number;
  /** Short-lived cache of Keto's answers. Default: off. */
  decisionCache?: DecisionCacheConfig;
}

/**
 * Reuses Keto's answers (allow and deny) for `ttlMs`. A grant or revoke through `PermissionService`
 * clears the tenant's cache in this process; a change made anywhere else (another pod, Keto's API
 * directly) is seen only once the cached answer expires.
 */
export interface DecisionCacheConfig {
  enabled: boolean;
  /** How long one answer is reused. Default 2000, at most 60000. */
  ttlMs?: number;
  /** Most answers kept per tenant; the oldest goes first. Default 10000. */
  maxEntries?: number;
}

/** The `keto` block after validation. */
export interface ValidatedKetoConfig {
  readonly readUrl: string;
  readonly writeUrl?: string;
  readonly adminToken?: string;
  /** Present only when configured; absent means Keto's default (10). */
  readonly maxBatchCheckSize?: number;
  /** Present only when configured; absent means no decision cache. */
  readonly decisionCache?: Readonly<Required<DecisionCacheConfig>>;
}
