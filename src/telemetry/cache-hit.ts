import { DECISION_SPAN_KEY, RecordingDecisionSpan } from './decision-span.js';
import { otelApi } from './otel-api.js';

/**
 * Tells the authentication being traced whether a cache answered it (`iam.cache_hit` on its span
 * and its duration). For code below the guards, which holds no telemetry handle: the decision span
 * is found in the active context, so outside a traced decision, or with telemetry off, nothing is
 * recorded.
 */
export function noteCacheHit(hit: boolean): void {
  if (otelApi === undefined || DECISION_SPAN_KEY === undefined) return;
  const span = otelApi.context.active().getValue(DECISION_SPAN_KEY);
  if (span instanceof RecordingDecisionSpan) span.cache(hit);
}
