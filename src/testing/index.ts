export {
  IamTestingModule,
  type IamTestingModuleOptions,
} from './iam-testing.module.js';
export {
  type IamTestingIdentity,
  type IamTestingPermissions,
  IamTestingState,
} from './iam-testing-state.js';
export * from './test-signer.js';
