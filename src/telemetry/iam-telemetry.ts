import type { BatchObservableResult, ObservableResult, Tracer } from '@opentelemetry/api';
import type { ValidatedIamOptions } from '../config/module-options.js';
import { noteRejection } from './active-decision.js';
import {
  type DecisionOutcome,
  type DecisionSpan,
  NOOP_DECISION_SPAN,
  RecordingDecisionSpan,
} from './decision-span.js';
import { createIamMetrics, type IamMetrics } from './iam-metrics.js';
import { type OtelApi, otelApi, tracingProbe } from './otel-api.js';
import {
  ATTR_BREAKER_UPSTREAM,
  ATTR_CACHE_HIT,
  ATTR_CODE,
  ATTR_DECISION,
  ATTR_OUTCOME,
  ATTR_TENANT,
  ATTR_TRANSPORT,
  SCOPE_NAME,
  SPAN_AUTHENTICATE,
  SPAN_AUTHORIZE_PERMISSION,
  SPAN_AUTHORIZE_ROLE,
} from './telemetry-names.js';
import { NOOP_UPSTREAM_TRACER, type UpstreamTracer, upstreamTracer } from './upstream-span.js';

/** Which decision a span or a count is about. */
export type DecisionKind = 'authenticate' | 'role' | 'permission';

/** A decision as counted by `iam.decisions`. */
export interface CountedDecision {
  readonly tenant: string | undefined;
  readonly decision: DecisionKind;
  readonly outcome: DecisionOutcome;
  readonly code?: string;
}

/** What the JWKS gauges read of one tenant's key store. */
export interface JwksGaugeReading {
  readonly tenant: string;
  readonly keys: number;
  readonly lastRefreshAgeMs: number | null;
}

/** Token ids the in-memory replay cache holds for one tenant. */
export interface ReplayGaugeReading {
  readonly tenant: string;
  readonly entries: number;
}

/** One guarded upstream of a tenant, as its breaker and bulkhead stand. */
export interface UpstreamGaugeReading {
  readonly tenant: string;
  readonly upstream: string;
  /** `off` when the tenant turned its breaker off: then only the calls in flight are reported. */
  readonly breaker: 'closed' | 'half-open' | 'open' | 'off';
  readonly inFlight: number;
}

const BREAKER_STATE_VALUES = { closed: 0, 'half-open': 1, open: 2 } as const;

interface Recording {
  readonly api: OtelApi;
  readonly tracer: Tracer;
  /** Whether `tracer`'s spans record now: false until an SDK is registered. */
  readonly tracing: () => boolean;
  /** None when no meter provider was registered before the module was created. */
  readonly metrics: IamMetrics | undefined;
}

const SPAN_NAMES: Readonly<Record<DecisionKind, string>> = {
  authenticate: SPAN_AUTHENTICATE,
  role: SPAN_AUTHORIZE_ROLE,
  permission: SPAN_AUTHORIZE_PERMISSION,
};

/** A tenant the resolver could not name: bounded, unlike whatever the request carried. */
const UNKNOWN_TENANT = 'unknown';

/**
 * The module's OpenTelemetry traces and metrics (docs/observability.md), one per module. The
 * meter comes from the SDK registered when the module is created (the tracer also follows one
 * registered later); without `@opentelemetry/api`, or with `telemetry.enabled: false`, every
 * method does nothing and the API is never called.
 */
export class IamTelemetry {
  private readonly recording: Recording | undefined;
  private readonly transports: ReadonlyMap<string, string>;
  private readonly recordSubject: boolean;

  constructor(options: Pick<ValidatedIamOptions, 'tenants' | 'telemetry'>) {
    this.recordSubject = options.telemetry.recordSubject;
    this.transports = new Map(
      Object.entries(options.tenants).map(([name, config]) => [name, config.transport]),
    );
    this.recording = options.telemetry.enabled ? recordingOf(otelApi) : undefined;
  }

  /** Upstream spans and latencies of `tenant`'s calls to Kratos, Keto, its JWKS and replay store. */
  upstream(tenant: string): UpstreamTracer {
    const recording = this.recording;
    if (recording === undefined) return NOOP_UPSTREAM_TRACER;
    return upstreamTracer(
      recording.api,
      recording.tracer,
      recording.tracing,
      recording.metrics?.upstreamDuration,
      recording.metrics?.replayRefusals,
      tenant,
    );
  }

  /**
   * Runs a transport's authentication in an `iam.authenticate` span and records its duration in
   * `iam.verification.duration`. Without a span, `fn` runs as it is: an authentication that needs
   * no promise gets none.
   */
  authenticate<T>(tenant: string, fn: (span: DecisionSpan) => T | Promise<T>): T | Promise<T> {
    const recording = this.recording;
    const duration = recording?.metrics?.verificationDuration;
    const span = this.decisionSpan(recording, 'authenticate', tenant, duration !== undefined);
    if (span === undefined) return fn(NOOP_DECISION_SPAN);
    const startedAt = performance.now();
    return span.run(
      async () => fn(span),
      (outcome) => {
        const { cacheHit } = span;
        duration?.record((performance.now() - startedAt) / 1_000, {
          ...this.tenantAttributes(tenant),
          [ATTR_OUTCOME]: outcome,
          ...(cacheHit !== undefined && { [ATTR_CACHE_HIT]: cacheHit }),
        });
      },
    );
  }

  /** Runs a permission check in an `iam.authorize.permission` span. */
  authorizePermission<T>(tenant: string, fn: (span: DecisionSpan) => Promise<T>): Promise<T> {
    const span = this.decisionSpan(this.recording, 'permission', tenant, false);
    if (span === undefined) return fn(NOOP_DECISION_SPAN);
    return span.run(() => fn(span), ignoreOutcome);
  }

  /** Runs a role check in an `iam.authorize.role` span. */
  authorizeRole<T>(tenant: string | undefined, fn: (span: DecisionSpan) => T): T {
    const span = this.decisionSpan(this.recording, 'role', tenant, false);
    if (span === undefined) return fn(NOOP_DECISION_SPAN);
    return span.runSync(() => fn(span), ignoreOutcome);
  }

  /** Counts one decision in `iam.decisions`, and notes a rejection's code on its span. */
  count(decision: CountedDecision): void {
    const { outcome, code } = decision;
    if (this.recording !== undefined && code !== undefined && outcome !== 'allow') {
      noteRejection(outcome, code);
    }
    this.recording?.metrics?.decisions.add(1, {
      ...this.tenantAttributes(decision.tenant),
      [ATTR_DECISION]: decision.decision,
      [ATTR_OUTCOME]: decision.outcome,
      ...(decision.code !== undefined && { [ATTR_CODE]: decision.code }),
    });
  }

  /** Counts a batch's lookups in the tenant's Keto decision cache in `iam.decision_cache.lookups`. */
  decisionCacheLookups(tenant: string, hits: number, misses: number): void {
    const lookups = this.recording?.metrics?.decisionCacheLookups;
    if (lookups === undefined) return;
    if (hits > 0) lookups.add(hits, { [ATTR_TENANT]: tenant, [ATTR_CACHE_HIT]: true });
    if (misses > 0) lookups.add(misses, { [ATTR_TENANT]: tenant, [ATTR_CACHE_HIT]: false });
  }

  /** Reports the replay cache's entries per tenant on every collection, until the returned call. */
  observeReplay(read: () => Iterable<ReplayGaugeReading>): () => void {
    const gauge = this.recording?.metrics?.replayEntries;
    if (gauge === undefined) return () => undefined;
    const callback = (result: ObservableResult): void => {
      for (const reading of read())
        result.observe(reading.entries, { [ATTR_TENANT]: reading.tenant });
    };
    gauge.addCallback(callback);
    return () => gauge.removeCallback(callback);
  }

  /**
   * Reports the key stores' key counts and refresh ages on every collection, until the returned
   * function is called.
   */
  observeJwks(read: () => Iterable<JwksGaugeReading>): () => void {
    const metrics = this.recording?.metrics;
    if (metrics === undefined) return () => undefined;
    const { meter, jwksKeys, jwksAge } = metrics;
    const batch = (result: BatchObservableResult): void => {
      for (const reading of read()) {
        const attributes = { [ATTR_TENANT]: reading.tenant };
        result.observe(jwksKeys, reading.keys, attributes);
        if (reading.lastRefreshAgeMs !== null) {
          result.observe(jwksAge, reading.lastRefreshAgeMs / 1_000, attributes);
        }
      }
    };
    meter.addBatchObservableCallback(batch, [jwksKeys, jwksAge]);
    return () => meter.removeBatchObservableCallback(batch, [jwksKeys, jwksAge]);
  }

  /**
   * Reports the breaker state and calls in flight of every guarded upstream on each collection,
   * until the returned function is called.
   */
  observeUpstreams(read: () => Iterable<UpstreamGaugeReading>): () => void {
    const metrics = this.recording?.metrics;
    if (metrics === undefined) return () => undefined;
    const { meter, breakerState, upstreamInFlight } = metrics;
    const batch = (result: BatchObservableResult): void => {
      for (const reading of read()) {
        const attributes = {
          [ATTR_TENANT]: reading.tenant,
          [ATTR_BREAKER_UPSTREAM]: reading.upstream,
        };
        if (reading.breaker !== 'off') {
          result.observe(breakerState, BREAKER_STATE_VALUES[reading.breaker], attributes);
        }
        result.observe(upstreamInFlight, reading.inFlight, attributes);
      }
    };
    meter.addBatchObservableCallback(batch, [breakerState, upstreamInFlight]);
    return () => meter.removeBatchObservableCallback(batch, [breakerState, upstreamInFlight]);
  }

  /**
   * The span of a decision; undefined when there is nothing to record: no SDK, or a trace sampled
   * out and no metric to time. Without an SDK the API is not called at all (see `tracingProbe`).
   */
  private decisionSpan(
    recording: Recording | undefined,
    decision: DecisionKind,
    tenant: string | undefined,
    timed: boolean,
  ): RecordingDecisionSpan | undefined {
    if (recording === undefined || (!timed && !recording.tracing())) return undefined;
    const span = recording.tracer.startSpan(SPAN_NAMES[decision]);
    if (span.isRecording()) {
      span.setAttributes({ ...this.tenantAttributes(tenant), [ATTR_DECISION]: decision });
    } else if (!timed) {
      return undefined;
    }
    return new RecordingDecisionSpan(recording.api, span, this.recordSubject);
  }

  private tenantAttributes(tenant: string | undefined): Record<string, string> {
    const transport = tenant === undefined ? undefined : this.transports.get(tenant);
    if (tenant === undefined || transport === undefined) {
      return { [ATTR_TENANT]: UNKNOWN_TENANT, [ATTR_TRANSPORT]: UNKNOWN_TENANT };
    }
    return { [ATTR_TENANT]: tenant, [ATTR_TRANSPORT]: transport };
  }
}

function ignoreOutcome(): void {}

/**
 * The tracer and instruments. Meters are not proxies: a meter taken before an SDK is registered
 * stays a no-op for good (so the SDK must be started before the Nest application is created), and
 * the library skips timing what nothing would record.
 */
function recordingOf(api: OtelApi | undefined): Recording | undefined {
  if (api === undefined) return undefined;
  const meter = api.metrics.getMeter(SCOPE_NAME);
  const noop = meter.constructor === api.createNoopMeter().constructor;
  return {
    api,
    tracer: api.trace.getTracer(SCOPE_NAME),
    tracing: tracingProbe(api),
    metrics: noop ? undefined : createIamMetrics(meter),
  };
}
