import {
  ATTR_ATTEMPTS,
  ATTR_HTTP_METHOD,
  ATTR_HTTP_STATUS,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from '../telemetry/telemetry-names.js';
import type { UpstreamKind, UpstreamSpan, UpstreamTracer } from '../telemetry/upstream-span.js';
import type { OryRequestOptions, OryResponse } from './ory-call.js';

/** What an axios response or error says about the request it answered. */
interface AxiosShape {
  config?: { url?: unknown; method?: unknown };
  response?: { status?: unknown };
  status?: unknown;
  code?: unknown;
}

function shapeOf(value: unknown): AxiosShape {
  return typeof value === 'object' && value !== null ? (value as AxiosShape) : {};
}

/** A bounded name for what went wrong: the HTTP status, axios' error code, or the error's class. */
function errorTypeOf(error: unknown): string {
  const { response, code } = shapeOf(error);
  if (typeof response?.status === 'number') return String(response.status);
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.name : typeof error;
}

function upstreamOf(operation: string): UpstreamKind {
  if (operation.startsWith('Keto')) return 'keto';
  if (operation.startsWith('Hydra')) return 'hydra';
  return 'kratos';
}

/**
 * The span of one `callOry`: its attempts share it (`iam.attempts` counts them), each carries its
 * `traceparent`, and the last one's method, server and status become its attributes. The URL's
 * path and query are never recorded: they hold identity ids and permission subjects.
 */
export class OryCallTrace {
  private attempts = 0;
  private lastErrorType: string | undefined;
  private readonly span: UpstreamSpan;

  constructor(tracer: UpstreamTracer, operation: string) {
    // Every operation is named after its server ("Kratos admin get", "Keto check", "Hydra token"),
    // so the name tells the upstream without widening callOry's signature.
    this.span = tracer.start(upstreamOf(operation), operation);
  }

  /** `call`, counted, with trace context in its headers and its answer described on the span. */
  instrument<T>(
    call: (options: OryRequestOptions) => Promise<OryResponse<T>>,
  ): (options: OryRequestOptions) => Promise<OryResponse<T>> {
    return (options) => {
      this.attempts += 1;
      const headers: Record<string, string> = { ...options.headers };
      this.span.inject(headers);
      return this.span
        .within(() => call({ ...options, headers }))
        .then(
          (response) => {
            this.describe(response, response.status);
            return response;
          },
          (error: unknown) => {
            this.lastErrorType = errorTypeOf(error);
            this.describe(error, shapeOf(error).response?.status);
            throw error;
          },
        );
    };
  }

  fail(error: unknown): void {
    this.span.fail(this.lastErrorType ?? errorTypeOf(error));
  }

  end(): void {
    this.span.set({ [ATTR_ATTEMPTS]: this.attempts });
    this.span.end();
  }

  private describe(answer: unknown, status: unknown): void {
    const { config } = shapeOf(answer);
    const url =
      typeof config?.url === 'string' && URL.canParse(config.url) ? new URL(config.url) : undefined;
    this.span.set({
      ...(typeof config?.method === 'string' && {
        [ATTR_HTTP_METHOD]: config.method.toUpperCase(),
      }),
      ...(url !== undefined && { [ATTR_SERVER_ADDRESS]: url.hostname }),
      ...(url !== undefined && url.port !== '' && { [ATTR_SERVER_PORT]: Number(url.port) }),
      ...(typeof status === 'number' && { [ATTR_HTTP_STATUS]: status }),
    });
  }
}
