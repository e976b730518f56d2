import type { Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { IAM_VALIDATED_OPTIONS } from '../config/injection-tokens.js';
import type { ValidatedIamOptions } from '../config/module-options.js';
import { IamGlobalGuard } from '../guards/iam-global.guard.js';
import { PermissionGuard } from '../guards/permission.guard.js';
import { RoleGuard } from '../guards/role.guard.js';
import { ServiceGuard } from '../guards/service.guard.js';
import { SessionGuard } from '../guards/session.guard.js';
import { OryClients } from '../ory/ory-clients.js';
import { UpstreamGuards } from '../resilience/upstream-guards.js';
import { TenantRegistry } from '../runtime/tenant-registry.js';
import { IamTelemetry } from '../telemetry/iam-telemetry.js';

/**
 * The guards and what they need; shared by `IamModule` and `IamTestingModule`, which each add their
 * own `PERMISSION_CHECKER` (Keto, or the test's answers).
 */
export const IAM_GUARD_PROVIDERS: Provider[] = [
  {
    provide: IamTelemetry,
    useFactory: (options: ValidatedIamOptions) => new IamTelemetry(options),
    inject: [IAM_VALIDATED_OPTIONS],
  },
  UpstreamGuards,
  OryClients,
  TenantRegistry,
  SessionGuard,
  ServiceGuard,
  RoleGuard,
  PermissionGuard,
  { provide: APP_GUARD, useClass: IamGlobalGuard },
];

/** Exported so `@UseGuards(SessionGuard)` and friends resolve in any module. */
export const IAM_GUARD_EXPORTS = [
  IAM_VALIDATED_OPTIONS,
  UpstreamGuards,
  OryClients,
  TenantRegistry,
  SessionGuard,
  ServiceGuard,
  RoleGuard,
  PermissionGuard,
];
