export type { AccessRuleHandler, OathkeeperAccessRule } from './access-rules/access-rule.js';
export {
  type AppAccessRulesOptions,
  accessRulesForApp,
  checkAccessRulesForApp,
} from './access-rules/app-rules.js';
export {
  type AppRulesTarget,
  accessRulesForApps,
  checkAccessRulesForApps,
  type SharedRulesOptions,
} from './access-rules/apps-rules.js';
export {
  AccessRuleConflictError,
  type RuleTargetOptions,
} from './access-rules/generate-rules.js';
export type { MatchingStrategy } from './access-rules/match-pattern.js';
export type { RouteTableOptions } from './access-rules/route-table.js';
export { AuditEmitter } from './audit/audit-emitter.js';
export {
  IAM_AUDIT_EVENTS,
  type IamAuditDetail,
  type IamAuditEvent,
  type IamAuditEventName,
} from './audit/audit-event.js';
export { AUDIT_SINK, type AuditSink, LoggerAuditSink } from './audit/audit-sink.js';
export type { BreakerConfig, HttpClientConfig } from './config/http-config.js';
export type { DecisionCacheConfig, KetoConfig } from './config/keto-config.js';
export type {
  IamErrorsOptions,
  IamModuleOptions,
  IamRolesOptions,
  IamTelemetryOptions,
  RoleCombination,
  TenantResolver,
  ValidatedIamOptions,
  ValidatedTelemetryOptions,
} from './config/module-options.js';
export type { OAuth2Config } from './config/oauth2-config.js';
export type {
  ServiceTokenAuthMethod,
  ServiceTokensConfig,
} from './config/service-tokens-config.js';
export type {
  ClaimMappingConfig,
  CloudConfig,
  CsrfConfig,
  JwksConfig,
  JwtAlgorithm,
  KratosConfig,
  KratosTenantBinding,
  OathkeeperConfig,
  ReplayProtectionConfig,
  SessionCacheConfig,
  TenantConfig,
  TransportKind,
  ValidatedTenantConfig,
} from './config/tenant-config.js';
export { CurrentUser, Tenant } from './decorators/current-user.decorator.js';
export { Anonymous, Public } from './decorators/public.decorator.js';
export {
  type AnyOfPermissions,
  anyOf,
  type PermissionRequestView,
  type PermissionRequirement,
  type PermissionRule,
  RequirePermission,
} from './decorators/require-permission.decorator.js';
export {
  RequireRole,
  type RequireRoleOptions,
  type RoleRequirement,
} from './decorators/require-role.decorator.js';
export { RequireScope } from './decorators/require-scope.decorator.js';
export { RequireService } from './decorators/require-service.decorator.js';
export { IAM_ERROR_STATUS, type IamErrorCode } from './errors/error-codes.js';
export type { IamErrorMapContext, IamErrorMapper } from './errors/error-mapping.js';
export {
  IamBadRequestError,
  IamConfigurationError,
  type IamErrorBody,
  IamForbiddenError,
  IamHttpError,
  IamUnauthorizedError,
  IamUpstreamUnavailableError,
} from './errors/iam-errors.js';
export { IamExceptionFilter } from './filters/iam-exception.filter.js';
export { IamGateway } from './guards/iam-gateway.decorator.js';
export { IamWsExceptionFilter } from './guards/iam-ws-exception.filter.js';
export { PermissionGuard } from './guards/permission.guard.js';
export { RoleGuard } from './guards/role.guard.js';
export { ServiceGuard } from './guards/service.guard.js';
export { SessionGuard } from './guards/session.guard.js';
export {
  type IamDependency,
  IamHealthCheckError,
  IamHealthIndicator,
  type IamHealthOptions,
  type IamHealthResult,
  type IamTenantHealth,
} from './health/iam-health.indicator.js';
export type { IamDependencyHealth } from './health/probe.js';
export type { IamIdentity, IamIdentityKind, IamIdentitySource } from './identity/iam-identity.js';
export type { JwksStoreStatus } from './jwt/jwks-key-store.js';
export { IamModule } from './module/iam.module.js';
export type { IamOptionsFactory } from './module/iam.module-definition.js';
export type { IamCallOptions } from './ory/call-options.js';
export { IamPermissionRequestError } from './ory/keto/keto-errors.js';
export type {
  PermissionPaging,
  PermissionTupleFilter,
  TenantPermissions,
} from './ory/keto/tenant-permissions.js';
export type {
  IamAuthSuccess,
  IamFlow,
  IamFlowContinueWith,
  IamFlowInvalid,
  IamFlowMessage,
  IamFlowMode,
  IamFlowNode,
  IamFlowOptions,
  IamFlowProgress,
  IamFlowRedirect,
  IamFlowTransport,
  IamFlowType,
  IamFlowUi,
  IamLoginOptions,
  IamLoginResult,
  IamLogoutResult,
  IamRecoveryResult,
  IamRegistrationResult,
  IamSessionFlowOptions,
  IamSettingsResult,
  IamSettingsSuccess,
  IamSubmitOptions,
  IamVerificationResult,
  TenantFlows,
} from './ory/kratos/flow-types.js';
export type {
  IamSession,
  IamSessionIdentity,
  IamSessionPage,
  SessionPaging,
  TenantSessions,
  WhoamiSource,
} from './ory/kratos/iam-session.js';
export type { IamIdentityErrorCode } from './ory/kratos/identity-errors.js';
export type {
  IamDeactivateOptions,
  IamIdentityCreate,
  IamIdentityPage,
  IamIdentityPatchOperation,
  IamIdentityRecord,
  IamIdentityUpdate,
  IamImportFailureCode,
  IamImportItemResult,
  IamImportOptions,
  IamImportResult,
  IamPasswordInput,
  IamRecoveryAddress,
  IamVerifiableAddress,
  IdentityPaging,
  TenantIdentities,
} from './ory/kratos/identity-types.js';
export type {
  PermissionSubject,
  PermissionTree,
  PermissionTuple,
  PermissionTuplePage,
  SubjectSet,
} from './permissions/permission-tuple.js';
export type {
  RedisCommandClient,
  RedisConnectionOptions,
} from './redis/redis-client.js';
export {
  InMemoryReplayCache,
  type InMemoryReplayCacheOptions,
  type ReplayPartitionLimits,
} from './replay/in-memory-replay-cache.js';
export { RedisReplayCache, type RedisReplayCacheOptions } from './replay/redis-replay-cache.js';
export { REPLAY_CACHE, type ReplayCache, type ReplayClaimContext } from './replay/replay-cache.js';
export { ReplayCapacityExceededError } from './replay/replay-capacity-error.js';
export { ReplayStateLostError } from './replay/replay-state-lost-error.js';
export type { IamRequest } from './request/iam-request.js';
export { getIdentity } from './request/request-state.js';
export { attachUpgradeRequest } from './request/ws-connection.js';
export type { Upstream } from './resilience/upstream.js';
export type { BreakerState, UpstreamGuardStatus } from './resilience/upstream-guard.js';
export {
  ServiceToken,
  type ServiceTokenFetch,
  type ServiceTokenFetchOptions,
  type ServiceTokenRequest,
  type TenantServiceTokens,
} from './service-tokens/service-token.js';
export { FlowService } from './services/flow.service.js';
export { IdentityService } from './services/identity.service.js';
export { PermissionService } from './services/permission.service.js';
export { ServiceTokens } from './services/service-tokens.service.js';
export { SessionService } from './services/session.service.js';
export {
  InMemorySessionStore,
  type InMemorySessionStoreOptions,
} from './session-cache/in-memory-session-store.js';
export {
  RedisSessionStore,
  type RedisSessionStoreOptions,
} from './session-cache/redis-session-store.js';
export {
  SESSION_CACHE_STORE,
  type SessionCacheStore,
} from './session-cache/session-cache-store.js';
