import { createRequire } from 'node:module';
import type * as OpenTelemetry from '@opentelemetry/api';

/** The `@opentelemetry/api` module's exports. */
export type OtelApi = typeof OpenTelemetry;

/**
 * `@opentelemetry/api`, an optional peer dependency: loaded once, when this module is first
 * evaluated, and undefined when the application does not have it. `createRequire` rather than an
 * import so that neither build fails to load without it. The API keeps the registered SDK on
 * `globalThis`, so the copy loaded here sees what an ES-module application registered.
 */
export const otelApi: OtelApi | undefined = loadOtelApi();

function loadOtelApi(): OtelApi | undefined {
  try {
    return createRequire(import.meta.url)('@opentelemetry/api') as OtelApi;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}
