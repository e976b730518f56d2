import { ConfigurableModuleBuilder, Module } from '@nestjs/common';
import type { IamModuleOptions } from '../config/module-options.js';

/**
 * `forRoot(options)` / `forRootAsync({ imports, inject, useFactory | useClass | useExisting })`.
 * `isGlobal` (default true) makes the services injectable everywhere; it is unrelated to the
 * `global` option, which decides whether the guards protect every route.
 */
export const {
  ConfigurableModuleClass: IamConfigurableModule,
  MODULE_OPTIONS_TOKEN: IAM_MODULE_OPTIONS,
  OPTIONS_TYPE: IAM_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: IAM_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<IamModuleOptions>({ moduleName: 'Iam' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createIamOptions')
  // Read by IamModule.forRoot, which decides where the providers live.
  .setExtras({ isGlobal: true }, (definition) => definition)
  .build();

/** Holds the options `IamModule.forRoot` / `forRootAsync` received (and the async imports). */
@Module({})
export class IamOptionsModule extends IamConfigurableModule {}

/** What `forRootAsync({ useClass })` classes implement. */
export interface IamOptionsFactory {
  createIamOptions(): IamModuleOptions | Promise<IamModuleOptions>;
}
