import type { ModuleRef } from '@nestjs/core';

/**
 * Finds a provider registered under `token` anywhere in the application, so that a provider in the
 * app module (as the walkthrough's `{ provide: REPLAY_CACHE, useClass: ... }`) takes effect even
 * though the guards live in IamModule. Runs after every module is instantiated.
 */
export function findAppProvider<T>(moduleRef: ModuleRef, token: symbol): T | undefined {
  try {
    return moduleRef.get<T>(token, { strict: false });
  } catch {
    return undefined;
  }
}
