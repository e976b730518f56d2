export {
  PERMISSION_CHECKER,
  type PermissionChecker,
} from '../permissions/permission-checker.js';
export {
  IamTestingModule,
  type IamTestingModuleOptions,
} from './iam-testing.module.js';
export {
  type IamTestingHealth,
  type IamTestingIdentity,
  type IamTestingPermissions,
  IamTestingState,
} from './iam-testing-state.js';
export * from './test-signer.js';
export type { TestingServiceTokenFailure } from './testing-service-tokens.js';
