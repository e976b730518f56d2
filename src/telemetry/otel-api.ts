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

/**
 * Whether spans started by a tracer taken from `api` now record: false while no SDK (tracer
 * provider) is registered, when every span is a no-op. The API's global provider is a proxy that
 * starts delegating to the SDK whenever one is registered, and a tracer taken from it follows; so
 * the answer is asked of that proxy each time, which costs one call, where starting a no-op span
 * costs the API's context and global lookups. A provider that is not this API's proxy is taken as
 * recording.
 */
export function tracingProbe(api: OtelApi): () => boolean {
  const provider = api.trace.getTracerProvider();
  if (!(provider instanceof api.ProxyTracerProvider)) return () => true;
  const none = new api.ProxyTracerProvider().getDelegate();
  return () => provider.getDelegate() !== none;
}
