import type { Attributes, Counter, Histogram, Meter, ObservableGauge } from '@opentelemetry/api';
import {
  DURATION_BUCKETS_SECONDS,
  METRIC_BREAKER_STATE,
  METRIC_DECISION_CACHE_LOOKUPS,
  METRIC_DECISIONS,
  METRIC_JWKS_AGE,
  METRIC_JWKS_KEYS,
  METRIC_REPLAY_ENTRIES,
  METRIC_REPLAY_REFUSALS,
  METRIC_UPSTREAM_DURATION,
  METRIC_UPSTREAM_IN_FLIGHT,
  METRIC_VERIFICATION_DURATION,
} from './telemetry-names.js';

/** The library's instruments, created once per module from the meter of the registered SDK. */
export interface IamMetrics {
  /** Where the instruments come from, for the observable gauges' callbacks. */
  readonly meter: Meter;
  readonly decisions: Counter<Attributes>;
  readonly verificationDuration: Histogram<Attributes>;
  readonly upstreamDuration: Histogram<Attributes>;
  readonly jwksKeys: ObservableGauge<Attributes>;
  readonly jwksAge: ObservableGauge<Attributes>;
  readonly breakerState: ObservableGauge<Attributes>;
  readonly upstreamInFlight: ObservableGauge<Attributes>;
  readonly decisionCacheLookups: Counter<Attributes>;
  readonly replayEntries: ObservableGauge<Attributes>;
  readonly replayRefusals: Counter<Attributes>;
}

export function createIamMetrics(meter: Meter): IamMetrics {
  const advice = { explicitBucketBoundaries: DURATION_BUCKETS_SECONDS };
  return {
    meter,
    decisions: meter.createCounter(METRIC_DECISIONS, {
      description: 'Decisions taken: one per audit event of a decision.',
      unit: '{decision}',
    }),
    verificationDuration: meter.createHistogram(METRIC_VERIFICATION_DURATION, {
      description: 'Time to authenticate a request with its transport, upstream calls included.',
      unit: 's',
      advice,
    }),
    upstreamDuration: meter.createHistogram(METRIC_UPSTREAM_DURATION, {
      description: 'Time of a call to Kratos, Keto, the JWKS endpoint or the replay store.',
      unit: 's',
      advice,
    }),
    jwksKeys: meter.createObservableGauge(METRIC_JWKS_KEYS, {
      description: 'Usable keys held from the JWKS.',
      unit: '{key}',
    }),
    jwksAge: meter.createObservableGauge(METRIC_JWKS_AGE, {
      description: 'Time since the last successful JWKS fetch; absent before the first one.',
      unit: 's',
    }),
    breakerState: meter.createObservableGauge(METRIC_BREAKER_STATE, {
      description: 'Circuit breaker of an upstream: 0 closed, 1 half-open, 2 open.',
      unit: '{state}',
    }),
    upstreamInFlight: meter.createObservableGauge(METRIC_UPSTREAM_IN_FLIGHT, {
      description: 'Calls in flight to an upstream, which its bulkhead caps at http.maxConcurrent.',
      unit: '{call}',
    }),
    decisionCacheLookups: meter.createCounter(METRIC_DECISION_CACHE_LOOKUPS, {
      description: 'Permission checks looked up in the Keto decision cache, hit or not.',
      unit: '{lookup}',
    }),
    replayEntries: meter.createObservableGauge(METRIC_REPLAY_ENTRIES, {
      description: 'Token ids the in-memory replay cache holds for a tenant.',
      unit: '{entry}',
    }),
    replayRefusals: meter.createCounter(METRIC_REPLAY_REFUSALS, {
      description: 'Tokens the replay store refused for lack of room or lost records (503).',
      unit: '{refusal}',
    }),
  };
}
