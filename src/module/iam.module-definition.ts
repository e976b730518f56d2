import {
  ConfigurableModuleBuilder,
  Inject,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { IamModuleOptions } from '../config/module-options.js';
import { RedisStore } from '../redis/redis-store.js';

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
} = new ConfigurableModuleBuilder<IamModuleOptions>({
  moduleName: 'Iam',
  // Exported app-wide (see IamModule.forRoot): a symbol cannot collide with an app's string token.
  optionsInjectionToken: Symbol.for('nestjs-ory-iam:MODULE_OPTIONS'),
})
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createIamOptions')
  // Read by IamModule.forRoot, which decides where the providers live.
  .setExtras({ isGlobal: true }, (definition) => definition)
  .build();

/**
 * Holds the options `IamModule.forRoot` / `forRootAsync` received (and the async imports). It
 * stays when a test replaces `IamModule`, so it also closes the connection a `fromUrl` replay
 * cache in the options opened: nothing else would once the module that uses it is gone.
 */
@Module({})
export class IamOptionsModule extends IamConfigurableModule implements OnApplicationShutdown {
  constructor(@Inject(IAM_MODULE_OPTIONS) private readonly options: IamModuleOptions) {
    super();
  }

  async onApplicationShutdown(): Promise<void> {
    const { replayCache } = this.options;
    // A no-op for a store whose connection was closed already or was passed in by the app.
    if (replayCache instanceof RedisStore) await replayCache.close();
  }
}

/** What `forRootAsync({ useClass })` classes implement. */
export interface IamOptionsFactory {
  createIamOptions(): IamModuleOptions | Promise<IamModuleOptions>;
}
