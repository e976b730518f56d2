import { Module } from '@nestjs/common';
import { IAM_VALIDATED_OPTIONS } from '../config/injection-tokens.js';
import type { IamModuleOptions } from '../config/module-options.js';
import { validateIamOptions } from '../config/validate-options.js';
import { IamHealthIndicator } from '../health/iam-health.indicator.js';
import { KetoPermissionChecker } from '../ory/keto/keto-permission-checker.js';
import { PERMISSION_CHECKER } from '../permissions/permission-checker.js';
import { FlowService } from '../services/flow.service.js';
import { IdentityService } from '../services/identity.service.js';
import { PermissionService } from '../services/permission.service.js';
import { SessionService } from '../services/session.service.js';
import { IAM_GUARD_EXPORTS, IAM_GUARD_PROVIDERS } from './guard-providers.js';
import { IAM_MODULE_OPTIONS, IamConfigurableModule } from './iam.module-definition.js';

/**
 * The library's module. `IamModule.forRoot({ tenants })` or `IamModule.forRootAsync({ imports,
 * inject, useFactory })`. Options are validated at boot: invalid ones fail with one
 * `IamConfigurationError` listing every problem.
 */
@Module({
  providers: [
    {
      provide: IAM_VALIDATED_OPTIONS,
      useFactory: (options: IamModuleOptions) => validateIamOptions(options),
      inject: [IAM_MODULE_OPTIONS],
    },
    ...IAM_GUARD_PROVIDERS,
    KetoPermissionChecker,
    { provide: PERMISSION_CHECKER, useExisting: KetoPermissionChecker },
    SessionService,
    IdentityService,
    FlowService,
    PermissionService,
    IamHealthIndicator,
  ],
  exports: [
    ...IAM_GUARD_EXPORTS,
    PERMISSION_CHECKER,
    SessionService,
    IdentityService,
    FlowService,
    PermissionService,
    IamHealthIndicator,
  ],
})
export class IamModule extends IamConfigurableModule {}
