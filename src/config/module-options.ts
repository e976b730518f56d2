import type { AuditSink } from '../audit/audit-sink.js';
import type { IamErrorMapper } from '../errors/error-mapping.js';
import type { ReplayCache } from '../replay/replay-cache.js';
import type { IamRequest } from '../request/iam-request.js';
import type { TenantConfig, ValidatedTenantConfig } from './tenant-config.js';

/** Picks the tenant of a request when several are configured. */
export type TenantResolver =
  | { header: string }
  | { host: Readonly<Record<string, string>> }
  | ((request: IamRequest) => string | undefined);

/**
 * How a handler's `@RequireRole` combines with its class's. `override`: the handler's requirement
 * replaces the class's. `all`: both must hold (as `@RequirePermission` always does).
 */
export type RoleCombination = 'override' | 'all';

/** The `roles` option: how role requirements of a class and its handlers combine. */
export interface IamRolesOptions {
  /** Default `'override'`. */
  combine?: RoleCombination;
}

/** The `errors` option: the app's own shape for the library's error responses. */
export interface IamErrorsOptions {
  /**
   * Maps each error of the guards (and of `IamExceptionFilter`) on an HTTP request to the app's
   * own exception or body; the status, and `Retry-After` on 503s, stay the library's.
   */
  map?: IamErrorMapper;
}

/** Options of `IamModule.forRoot()` and the result of `forRootAsync()`'s factory. */
export interface IamModuleOptions {
  /** At least one tenant. */
  tenants: Record<string, TenantConfig>;
  /**
   * Default true: every route requires authentication unless `@Public()`. With false, routes are
   * open unless guarded with `@UseGuards(SessionGuard)` or decorated with `@RequireRole` /
   * `@RequirePermission` (which always authenticate first).
   */
  global?: boolean;
  /** Tenant used when the resolver names none. Default: the only tenant, if there is one. */
  defaultTenant?: string;
  tenantResolver?: TenantResolver;
  /** Replay store; wins over a `REPLAY_CACHE` provider. Default: in-memory. */
  replayCache?: ReplayCache;
  /** Audit sink; wins over an `AUDIT_SINK` provider. Default: Nest Logger. */
  auditSink?: AuditSink;
  /** How a handler's `@RequireRole` combines with its class's. Default: the handler's replaces it. */
  roles?: IamRolesOptions;
  /** The app's own error responses. Default: the library's `{ statusCode, code, message }`. */
  errors?: IamErrorsOptions;
}

export interface ValidatedIamOptions {
  readonly tenants: Readonly<Record<string, ValidatedTenantConfig>>;
  readonly global: boolean;
  readonly defaultTenant?: string;
  readonly tenantResolver?: TenantResolver;
  readonly replayCache?: ReplayCache;
  readonly auditSink?: AuditSink;
  readonly roles: { readonly combine: RoleCombination };
  readonly errors: { readonly map?: IamErrorMapper };
}
