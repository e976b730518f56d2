import type { Attributes, Context, Counter, Histogram, Span, Tracer } from '@opentelemetry/api';
import type { OtelApi } from './otel-api.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_OPERATION,
  ATTR_OUTCOME,
  ATTR_REASON,
  ATTR_TENANT,
  ATTR_UPSTREAM,
  type SpanValues,
} from './telemetry-names.js';

/** What the library calls beyond its process. */
export type UpstreamKind = 'kratos' | 'keto' | 'hydra' | 'jwks' | 'replay';

/** One call to an upstream, traced and timed; does nothing when telemetry is off. */
export interface UpstreamSpan {
  /** Runs `fn` with this span active, so the spans of an HTTP client instrumentation nest in it. */
  within<T>(fn: () => T): T;
  /** Adds this span's W3C trace context (`traceparent`) to outgoing headers. */
  inject(headers: Record<string, string>): void;
  set(attributes: SpanValues): void;
  /** The call failed; `errorType` is bounded (a status code, an error code or class name). */
  fail(errorType: string): void;
  /** Ends the span and records the call's duration. Call once. */
  end(): void;
}

/** Why the replay store refused a token it does not know to be a replay (a 503). */
export type ReplayRefusalReason = 'tenant_full' | 'subject_share' | 'state_lost';

/** Starts the upstream spans of one tenant. */
export interface UpstreamTracer {
  start(upstream: UpstreamKind, operation: string): UpstreamSpan;
  /** Counts a refusal of the replay store in `iam.replay.refusals`. */
  replayRefused(reason: ReplayRefusalReason): void;
}

const NOOP_SPAN: UpstreamSpan = {
  within: (fn) => fn(),
  inject: () => undefined,
  set: () => undefined,
  fail: () => undefined,
  end: () => undefined,
};

/** For telemetry turned off, and for code built without a module (tests, benches). */
export const NOOP_UPSTREAM_TRACER: UpstreamTracer = {
  start: () => NOOP_SPAN,
  replayRefused: () => undefined,
};

class RecordingUpstreamSpan implements UpstreamSpan {
  private readonly startedAt = performance.now();
  private readonly context: Context;
  private errorType: string | undefined;

  constructor(
    private readonly api: OtelApi,
    private readonly span: Span,
    private readonly duration: Histogram | undefined,
    private readonly metricAttributes: Attributes,
  ) {
    this.context = api.trace.setSpan(api.context.active(), span);
  }

  within<T>(fn: () => T): T {
    return this.api.context.with(this.context, fn);
  }

  inject(headers: Record<string, string>): void {
    this.api.propagation.inject(this.context, headers);
  }

  set(attributes: SpanValues): void {
    this.span.setAttributes(attributes);
  }

  fail(errorType: string): void {
    this.errorType = errorType;
    this.span.setAttribute(ATTR_ERROR_TYPE, errorType);
    this.span.setStatus({ code: this.api.SpanStatusCode.ERROR });
  }

  end(): void {
    this.span.end();
    const failed = this.errorType !== undefined;
    this.duration?.record((performance.now() - this.startedAt) / 1_000, {
      ...this.metricAttributes,
      [ATTR_OUTCOME]: failed ? 'error' : 'ok',
      ...(failed && { [ATTR_ERROR_TYPE]: this.errorType }),
    });
  }
}

/**
 * Upstream spans of `tenant`: CLIENT spans named by the operation, children of the active span;
 * the no-op span when neither the span nor a duration would be recorded.
 */
export function upstreamTracer(
  api: OtelApi,
  tracer: Tracer,
  tracing: () => boolean,
  duration: Histogram | undefined,
  refusals: Counter | undefined,
  tenant: string,
): UpstreamTracer {
  return {
    replayRefused(reason) {
      refusals?.add(1, { [ATTR_TENANT]: tenant, [ATTR_REASON]: reason });
    },
    start(upstream, operation) {
      if (duration === undefined && !tracing()) return NOOP_SPAN;
      const span = tracer.startSpan(operation, { kind: api.SpanKind.CLIENT });
      if (!span.isRecording() && duration === undefined) return NOOP_SPAN;
      const attributes = {
        [ATTR_TENANT]: tenant,
        [ATTR_UPSTREAM]: upstream,
        [ATTR_OPERATION]: operation,
      };
      span.setAttributes(attributes);
      return new RecordingUpstreamSpan(api, span, duration, attributes);
    },
  };
}
