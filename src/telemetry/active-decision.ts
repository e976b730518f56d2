import type { DecisionOutcome } from './decision-span.js';
import { anyOpenDecision, DECISION_SPAN_KEY, RecordingDecisionSpan } from './decision-span.js';
import { otelApi } from './otel-api.js';

/*
 * What code without a telemetry handle tells the decision being traced. The decision span is
 * found in the active context, so outside a traced decision, or with telemetry off, nothing is
 * recorded (and never on the application's own spans).
 */

function activeDecision(): RecordingDecisionSpan | undefined {
  if (otelApi === undefined || DECISION_SPAN_KEY === undefined || !anyOpenDecision()) {
    return undefined;
  }
  const span = otelApi.context.active().getValue(DECISION_SPAN_KEY);
  return span instanceof RecordingDecisionSpan ? span : undefined;
}

/** Whether a cache answered the authentication (`iam.cache_hit` on its span and duration). */
export function noteCacheHit(hit: boolean): void {
  activeDecision()?.cache(hit);
}

/**
 * The library's code for the rejection about to be thrown: what the thrown exception cannot tell
 * once `errors.map` has turned it into the application's own.
 */
export function noteRejection(outcome: DecisionOutcome, code: string): void {
  activeDecision()?.rejected(outcome, code);
}
