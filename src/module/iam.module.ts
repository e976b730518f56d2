import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { IAM_VALIDATED_OPTIONS } from '../config/injection-tokens.js';
import type { IamModuleOptions } from '../config/module-options.js';
import { validateIamOptions } from '../config/validate-options.js';
import { IamHealthIndicator } from '../health/iam-health.indicator.js';
import { KetoPermissionChecker } from '../ory/keto/keto-permission-checker.js';
import { PERMISSION_CHECKER } from '../permissions/permission-checker.js';
import { FlowService } from '../services/flow.service.js';
import { IdentityService } from '../services/identity.service.js';
import { PermissionService } from '../services/permission.service.js';
import { ServiceTokens } from '../services/service-tokens.service.js';
import { SessionService } from '../services/session.service.js';
import { IAM_GUARD_EXPORTS, IAM_GUARD_PROVIDERS } from './guard-providers.js';
import {
  IAM_ASYNC_OPTIONS_TYPE,
  IAM_MODULE_OPTIONS,
  IAM_OPTIONS_TYPE,
  IamOptionsModule,
} from './iam.module-definition.js';
import { UnguardedGatewaysWarning } from './unguarded-gateways.js';

const IAM_PROVIDERS: Provider[] = [
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
  ServiceTokens,
  IamHealthIndicator,
  UnguardedGatewaysWarning,
];

const IAM_EXPORTS = [
  ...IAM_GUARD_EXPORTS,
  PERMISSION_CHECKER,
  SessionService,
  IdentityService,
  FlowService,
  PermissionService,
  ServiceTokens,
  IamHealthIndicator,
];

/** `IamModule.forRoot({ isGlobal: false })`: the same providers, visible to the importer only. */
@Module({})
class IamScopedModule {}

/**
 * The library's module. `IamModule.forRoot({ tenants })` or `IamModule.forRootAsync({ imports,
 * inject, useFactory })`. Options are validated at boot: invalid ones fail with one
 * `IamConfigurationError` listing every problem.
 *
 * `forRoot` returns a module holding the options that imports this class itself: Nest's
 * `overrideModule(IamModule)` replaces an import only when it is this very class, never the object
 * a `forRoot` call returned, so this is what lets a test swap the guards and services of a whole
 * app for `IamTestingModule`.
 */
@Global()
@Module({ providers: IAM_PROVIDERS, exports: IAM_EXPORTS })
export class IamModule {
  /** The module with these options; `isGlobal` (default true) makes the services global. */
  static forRoot(options: typeof IAM_OPTIONS_TYPE): DynamicModule {
    return withProviders(IamOptionsModule.forRoot(options), options.isGlobal ?? true);
  }

  /** The module with options from `useFactory` (with `inject`), `useClass` or `useExisting`. */
  static forRootAsync(options: typeof IAM_ASYNC_OPTIONS_TYPE): DynamicModule {
    return withProviders(IamOptionsModule.forRootAsync(options), options.isGlobal ?? true);
  }
}

function withProviders(options: DynamicModule, isGlobal: boolean): DynamicModule {
  if (!isGlobal) {
    // A global class cannot be made local per call, so overrideModule(IamModule) does not reach
    // this form: a test overrides the object forRoot returned.
    return {
      ...options,
      module: IamScopedModule,
      providers: [...(options.providers ?? []), ...IAM_PROVIDERS],
      exports: IAM_EXPORTS,
    };
  }
  // The options are global so that IamModule, a static import, can inject them.
  return {
    ...options,
    global: true,
    imports: [...(options.imports ?? []), IamModule],
    exports: [IAM_MODULE_OPTIONS],
  };
}
