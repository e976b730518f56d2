import type { Type } from '@nestjs/common';
import { ModulesContainer, NestFactory } from '@nestjs/core';
import type { IamModuleOptions } from '../config/module-options.js';
import { IAM_MODULE_OPTIONS } from '../module/iam.module-definition.js';

/** What the generator needs of an app: its controllers and the options `IamModule` received. */
export interface LoadedApp {
  readonly controllers: ReadonlyArray<Type<unknown>>;
  /** Undefined when the options come from `forRootAsync` (a factory nothing may run here). */
  readonly iamOptions: IamModuleOptions | undefined;
  /** Whether the app imports `IamModule` at all. */
  readonly hasIamModule: boolean;
}

/**
 * Scans the module graph in Nest's preview mode: modules are resolved, no provider or controller
 * is instantiated, so nothing connects to a database or an Ory server. `forRoot` options are a
 * value provider, readable without running anything.
 */
export async function loadApp(module: Type<unknown>): Promise<LoadedApp> {
  const context = await NestFactory.createApplicationContext(module, {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  try {
    const controllers = new Set<Type<unknown>>();
    let iamOptions: IamModuleOptions | undefined;
    let hasIamModule = false;
    for (const moduleRef of context.get(ModulesContainer).values()) {
      for (const wrapper of moduleRef.controllers.values()) {
        if (wrapper.metatype !== null && wrapper.metatype !== undefined) {
          controllers.add(wrapper.metatype as Type<unknown>);
        }
      }
      const options = moduleRef.providers.get(IAM_MODULE_OPTIONS);
      if (options !== undefined) {
        hasIamModule = true;
        iamOptions ??= (options.instance as IamModuleOptions | null) ?? undefined;
      }
    }
    return { controllers: [...controllers], iamOptions, hasIamModule };
  } finally {
    await context.close();
  }
}
