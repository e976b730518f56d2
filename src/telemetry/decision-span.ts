import { HttpException } from '@nestjs/common';
import type { Context, Span } from '@opentelemetry/api';
import { IamHttpError } from '../errors/iam-errors.js';
import type { OtelApi } from './otel-api.js';
import { otelApi } from './otel-api.js';
import {
  ATTR_CACHE_HIT,
  ATTR_CODE,
  ATTR_ENDUSER_ID,
  ATTR_ERROR_TYPE,
  ATTR_OUTCOME,
  type SpanValues,
} from './telemetry-names.js';

/** How a decision ended; `none` is an authentication that found no credentials at all. */
export type DecisionOutcome = 'allow' | 'deny' | 'anonymous' | 'none' | 'unavailable';

/** The span of one decision, as the guard taking it sees it. */
export interface DecisionSpan {
  /** The identity decided about; dropped with `telemetry.recordSubject: false`. */
  subject(id: string): void;
  /** How the decision ended when it returned normally; `allow` unless set. */
  outcome(outcome: DecisionOutcome): void;
  set(attributes: SpanValues): void;
}

export const NOOP_DECISION_SPAN: DecisionSpan = {
  subject: () => undefined,
  outcome: () => undefined,
  set: () => undefined,
};

/** Where the active decision span is found by code that has no handle on it (see active-decision.ts). */
export const DECISION_SPAN_KEY = otelApi?.createContextKey('nestjs-ory-iam decision span');

/** Decision spans begun and not yet ended: while there are none, no context can hold one. */
let openDecisions = 0;

/** Whether a decision span may be active: when not, looking for one in the context is skipped. */
export function anyOpenDecision(): boolean {
  return openDecisions > 0;
}

/**
 * A rejection nobody noted (see active-decision.ts): 503 for anything the guards would turn into
 * one, else the exception's status and code.
 */
function rejectionOf(error: unknown): { outcome: DecisionOutcome; code: string } {
  if (!(error instanceof HttpException)) {
    return { outcome: 'unavailable', code: 'auth.upstream_unavailable' };
  }
  const outcome = error.getStatus() === 503 ? 'unavailable' : 'deny';
  return { outcome, code: error instanceof IamHttpError ? error.code : String(error.getStatus()) };
}

/**
 * A decision span, active while the guard decides so that upstream calls nest in it. Ends with
 * `iam.outcome`, and on a rejection `iam.code` and `error.type` (the code); only an outage sets the
 * span's status to error, since a deny is a correct answer.
 */
export class RecordingDecisionSpan implements DecisionSpan {
  private decided: DecisionOutcome = 'allow';
  /** Whether a cache answered, once the transport has said. */
  cacheHit: boolean | undefined;
  /** The rejection as the guard recorded it, before `errors.map` reshaped the exception. */
  private rejection: { readonly outcome: DecisionOutcome; readonly code: string } | undefined;

  constructor(
    private readonly api: OtelApi,
    private readonly span: Span,
    private readonly recordSubject: boolean,
  ) {}

  subject(id: string): void {
    if (this.recordSubject) this.span.setAttribute(ATTR_ENDUSER_ID, id);
  }

  outcome(outcome: DecisionOutcome): void {
    this.decided = outcome;
  }

  set(attributes: SpanValues): void {
    this.span.setAttributes(attributes);
  }

  rejected(outcome: DecisionOutcome, code: string): void {
    this.rejection = { outcome, code };
  }

  cache(hit: boolean): void {
    this.cacheHit = hit;
    this.span.setAttribute(ATTR_CACHE_HIT, hit);
  }

  /** Runs `fn` with the span active; `then` is called once with the outcome when it settles. */
  run<T>(fn: () => Promise<T>, then: (outcome: DecisionOutcome) => void): Promise<T> {
    openDecisions += 1;
    return this.api.context.with(this.context(), fn).then(
      (value) => {
        this.end(then);
        return value;
      },
      (error: unknown) => {
        this.endRejected(error, then);
        throw error;
      },
    );
  }

  /** The synchronous twin of {@link run}. */
  runSync<T>(fn: () => T, then: (outcome: DecisionOutcome) => void): T {
    let value: T;
    openDecisions += 1;
    try {
      value = this.api.context.with(this.context(), fn);
    } catch (error) {
      this.endRejected(error, then);
      throw error;
    }
    this.end(then);
    return value;
  }

  /** The active context with this span, found both as the active span and by the cache hook. */
  private context(): Context {
    const { api } = this;
    const withSpan = api.trace.setSpan(api.context.active(), this.span);
    return DECISION_SPAN_KEY === undefined ? withSpan : withSpan.setValue(DECISION_SPAN_KEY, this);
  }

  private end(then: (outcome: DecisionOutcome) => void): void {
    openDecisions -= 1;
    this.span.setAttribute(ATTR_OUTCOME, this.decided);
    this.span.end();
    then(this.decided);
  }

  private endRejected(error: unknown, then: (outcome: DecisionOutcome) => void): void {
    openDecisions -= 1;
    const { outcome, code } = this.rejection ?? rejectionOf(error);
    this.span.setAttributes({
      [ATTR_OUTCOME]: outcome,
      [ATTR_CODE]: code,
      [ATTR_ERROR_TYPE]: code,
    });
    if (outcome === 'unavailable') this.span.setStatus({ code: this.api.SpanStatusCode.ERROR });
    this.span.end();
    then(outcome);
  }
}
