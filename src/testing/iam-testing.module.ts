import { type DynamicModule, Inject, Module } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { ConfigProblems } from '../config/config-problems.js';
import { ConfigSection } from '../config/config-section.js';
import { IAM_TRANSPORT_OVERRIDE, IAM_VALIDATED_OPTIONS } from '../config/injection-tokens.js';
import type {
  IamErrorsOptions,
  IamRolesOptions,
  ValidatedIamOptions,
} from '../config/module-options.js';
import type { ValidatedTenantConfig } from '../config/tenant-config.js';
import { validateErrorsOption, validateRolesOption } from '../config/validate-guard-options.js';
import { IamConfigurationError } from '../errors/iam-errors.js';
import { IAM_GUARD_EXPORTS, IAM_GUARD_PROVIDERS } from '../module/guard-providers.js';
import { PERMISSION_CHECKER } from '../permissions/permission-checker.js';
import {
  type IamTestingIdentity,
  type IamTestingPermissions,
  IamTestingState,
} from './iam-testing-state.js';
import { TestingDirectory } from './testing-directory.js';
import { TestingServiceTokens } from './testing-service-tokens.js';
import { SERVICE_TOKENS, testingServiceProviders } from './testing-services.js';

/** Options of {@link IamTestingModule.forRoot}. */
export interface IamTestingModuleOptions {
  /** Identity of every request until changed through `IamTestingState`; default: none (401). */
  identity?: IamTestingIdentity | null;
  /** Answers of `@RequirePermission` checks. Default false: every check is denied. */
  permissions?: IamTestingPermissions;
  /** Default `default`. */
  tenant?: string;
  /** Same meaning as `IamModule.forRoot({ global })`. Default true. */
  global?: boolean;
  /** Same meaning as `IamModule.forRoot({ roles })`: give the app's, so tests decide as it does. */
  roles?: IamRolesOptions;
  /** Same meaning as `IamModule.forRoot({ errors })`: give the app's, so tests see its errors. */
  errors?: IamErrorsOptions;
}

function testingOptions(tenant: string, options: IamTestingModuleOptions): ValidatedIamOptions {
  const problems = new ConfigProblems();
  const section = ConfigSection.of({ roles: options.roles, errors: options.errors }, '', problems);
  if (section === undefined) return problems.fail();
  const roles = validateRolesOption(section);
  const errors = validateErrorsOption(section);
  problems.throwIfAny();
  const config: ValidatedTenantConfig = Object.freeze({
    name: tenant,
    mode: 'self-hosted',
    transport: 'oathkeeper',
    trustProxy: false,
    claims: Object.freeze({ roles: [], tenant: 'tenant', allowMissingTenant: true }),
    // No upstream is called: the breaker and bulkhead have nothing to guard.
    http: Object.freeze({
      timeoutMs: 1_000,
      retries: 0,
      deadlineMs: 1_000,
      maxConcurrent: 1,
      breaker: Object.freeze({ enabled: false, failureThreshold: 1, halfOpenAfterMs: 1_000 }),
    }),
  });
  return Object.freeze({
    tenants: Object.freeze({ [tenant]: config }),
    global: options.global ?? true,
    roles,
    errors,
    telemetry: Object.freeze({ enabled: false, recordSubject: false }),
  });
}

/**
 * Stands in for `IamModule` in tests: the same guards and decorators, with the identity and roles
 * set per test through {@link IamTestingState} instead of a real Oathkeeper or Kratos, and
 * in-memory stand-ins for `FlowService`, `SessionService`, `IdentityService`, `PermissionService`,
 * `ServiceTokens` (see `IamTestingState.failServiceTokensWith`) and `IamHealthIndicator`. A whole app: `Test.createTestingModule({ imports: [AppModule] })
 * .overrideModule(IamModule).useModule(IamTestingModule.forRoot({ ... }))`. Tests that want the
 * real verification path use `TestSigner` with `IamModule` instead.
 */
@Module({})
export class IamTestingModule {
  constructor(@Inject(ModulesContainer) modules: ModulesContainer) {
    refuseRealModule(modules);
  }

  static forRoot(options: IamTestingModuleOptions = {}): DynamicModule {
    const tenant = options.tenant ?? 'default';
    const directory = new TestingDirectory(tenant);
    const state = new IamTestingState(
      tenant,
      options.identity ?? null,
      options.permissions ?? false,
      directory,
      new TestingServiceTokens((name) => {
        if (name !== tenant)
          throw new IamConfigurationError([`tenant "${name}" is not configured`]);
      }),
    );
    return {
      module: IamTestingModule,
      global: true,
      providers: [
        {
          provide: IAM_VALIDATED_OPTIONS,
          useValue: testingOptions(tenant, options),
        },
        { provide: IamTestingState, useValue: state },
        { provide: IAM_TRANSPORT_OVERRIDE, useValue: state },
        { provide: PERMISSION_CHECKER, useValue: state },
        ...IAM_GUARD_PROVIDERS,
        ...testingServiceProviders(tenant, state, directory),
      ],
      exports: [IamTestingState, PERMISSION_CHECKER, ...IAM_GUARD_EXPORTS, ...SERVICE_TOKENS],
    };
  }
}

/**
 * Two IAM modules in one app means two global guards, and the real one keeps rejecting requests
 * the test meant to let through: fail the boot with the fix rather than leave the test to guess.
 */
function refuseRealModule(modules: ModulesContainer): void {
  for (const module of modules.values()) {
    if (module.metatype !== IamTestingModule && module.providers.has(IAM_VALIDATED_OPTIONS)) {
      throw new Error(
        'IamTestingModule: this application still imports IamModule, whose guard would keep ' +
          'checking real credentials. Replace it instead of importing both: ' +
          'Test.createTestingModule({ imports: [AppModule] }).overrideModule(IamModule)' +
          '.useModule(IamTestingModule.forRoot({ ... })). With IamModule.forRoot({ isGlobal: false }), ' +
          'override the module object that forRoot returned instead of the class.',
      );
    }
  }
}
