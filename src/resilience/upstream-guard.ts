import {
  BrokenCircuitError,
  type BulkheadPolicy,
  BulkheadRejectedError,
  bulkhead,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
} from 'cockatiel';
import type { ValidatedHttpConfig } from '../config/http-config.js';
import { IamUpstreamUnavailableError } from '../errors/iam-errors.js';
import { describeUpstreamFailure } from '../errors/upstream-failure.js';
import { UPSTREAM_LABELS, type Upstream } from './upstream.js';

/** What a guard is built from: the tenant's `http.maxConcurrent` and `http.breaker`. */
export type UpstreamGuardSettings = Pick<ValidatedHttpConfig, 'maxConcurrent' | 'breaker'>;

/** A breaker's state as health and audit show it; `off` when the tenant turned breakers off. */
export type BreakerState = 'closed' | 'open' | 'half-open' | 'off';

/** One upstream's guard now, for the health indicator. Never names a host or a credential. */
export interface UpstreamGuardStatus {
  readonly breaker: BreakerState;
  /** Outages in a row counted towards opening (closed breaker only). */
  readonly consecutiveFailures: number;
  /** Open breaker only: milliseconds until a call may probe the upstream (0: the next call will). */
  readonly nextProbeInMs?: number;
  readonly inFlight: number;
  readonly maxConcurrent: number;
}

/** A breaker that opened, let a probe through, or closed again. */
export interface BreakerStateChange {
  readonly tenant: string;
  readonly upstream: Upstream;
  readonly state: Exclude<BreakerState, 'off'>;
  /** `opened` only: what the last failed call met, e.g. `ECONNREFUSED 127.0.0.1:4466`. */
  readonly reason?: string;
  /** `opened` only: seconds until the next probe. */
  readonly retryAfterSeconds?: number;
}

/**
 * What a failed attempt says about its upstream: an `outage` (no answer, timeout, 5xx, 429,
 * malformed answer) counts towards opening; an `answer` (a 401, a 404) means the upstream works;
 * `abandoned` (cut short by its own request: the caller went away, the request's deadline ran
 * out) says nothing either way.
 */
export type AttemptFailure = 'outage' | 'answer' | 'abandoned';

/** What a call produced once its outages were told apart from its answers. */
type Outcome<T> = { readonly value: T } | { readonly answered: unknown };

/** Carries an abandoned attempt's error past the breaker, which does not handle it. */
class Abandoned {
  constructor(readonly error: unknown) {}
}

const STATES: Readonly<Record<CircuitState, Exclude<BreakerState, 'off'>>> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  // The library never isolates a breaker by hand; held open is open.
  [CircuitState.Isolated]: 'open',
};

/**
 * The circuit breaker and bulkhead of one upstream of one tenant, both cockatiel policies. Every
 * attempt of a call goes through {@link UpstreamGuard.run}, so the timeouts of a hanging upstream
 * count as they happen. Only outages count (the caller tells them apart, see
 * {@link AttemptFailure}); an answer such as 401 or 404 counts as a success, since the upstream is
 * up; an abandoned attempt counts neither way, except as a probe, which it leaves unproven. A
 * refusal is a 503 at once: `upstream.circuit_open` with `Retry-After` until the next probe, or
 * `upstream.saturated` when `maxConcurrent` calls are in flight (no queue: a queue in front of a
 * slow upstream only makes every caller wait longer).
 *
 * cockatiel's breaker makes the calls that arrive while its half-open probe runs wait for the
 * probe; this guard answers them 503 at once instead, so exactly one call probes and nobody waits.
 */
export class UpstreamGuard {
  private readonly breaker: CircuitBreakerPolicy | undefined;
  private readonly counter: ConsecutiveBreaker | undefined;
  private readonly bulkhead: BulkheadPolicy;
  private nextProbeAt = 0;
  private lastFailure: string | undefined;

  constructor(
    readonly tenant: string,
    readonly upstream: Upstream,
    private readonly settings: UpstreamGuardSettings,
    onChange: (change: BreakerStateChange) => void,
  ) {
    this.bulkhead = bulkhead(settings.maxConcurrent, 0);
    const { enabled, failureThreshold, halfOpenAfterMs } = settings.breaker;
    if (!enabled) return;
    this.counter = new ConsecutiveBreaker(failureThreshold);
    const breaker = circuitBreaker(
      handleWhen((error) => !(error instanceof Abandoned)),
      {
        halfOpenAfter: halfOpenAfterMs,
        breaker: this.counter,
      },
    );
    breaker.onFailure(({ handled, reason }) => {
      if (handled && 'error' in reason) this.lastFailure = describeUpstreamFailure(reason.error);
    });
    breaker.onStateChange((state) => {
      const change = { tenant, upstream, state: STATES[state] };
      if (state !== CircuitState.Open) {
        onChange(change);
        return;
      }
      this.nextProbeAt = Date.now() + halfOpenAfterMs;
      onChange({ ...change, reason: this.lastFailure, retryAfterSeconds: this.retryAfter() });
    });
    this.breaker = breaker;
  }

  /**
   * Runs one attempt. Resolves with its value; rejects with its error (counted as `classify` says),
   * or with a 503 {@link IamUpstreamUnavailableError} without calling `attempt` when the breaker
   * is open or the bulkhead full.
   */
  async run<T>(
    attempt: () => Promise<T>,
    classify: (error: unknown) => AttemptFailure,
  ): Promise<T> {
    const breaker = this.breaker;
    if (breaker !== undefined && this.refuses(breaker.state)) throw this.circuitOpen();
    if (this.bulkhead.executionSlots === 0) throw this.saturated();
    const settle = async (): Promise<Outcome<T>> => {
      try {
        return { value: await attempt() };
      } catch (error) {
        const failure = classify(error);
        if (failure === 'answer') return { answered: error };
        // A probe cut short proved nothing: the breaker stays open rather than closing on it.
        if (failure === 'outage' || breaker?.state === CircuitState.HalfOpen) throw error;
        throw new Abandoned(error);
      }
    };
    let outcome: Outcome<T>;
    try {
      outcome = await this.bulkhead.execute(() =>
        breaker === undefined ? settle() : breaker.execute(settle),
      );
    } catch (error) {
      if (error instanceof Abandoned) throw error.error;
      if (error instanceof BrokenCircuitError) throw this.circuitOpen();
      if (error instanceof BulkheadRejectedError) throw this.saturated();
      throw error;
    }
    if ('answered' in outcome) throw outcome.answered;
    return outcome.value;
  }

  status(): UpstreamGuardStatus {
    const inFlight = this.settings.maxConcurrent - this.bulkhead.executionSlots;
    const { maxConcurrent } = this.settings;
    const breaker = this.breaker;
    if (breaker === undefined) {
      return { breaker: 'off', consecutiveFailures: 0, inFlight, maxConcurrent };
    }
    const state = STATES[breaker.state];
    const consecutiveFailures = state === 'closed' ? (this.counter?.state ?? 0) : 0;
    const status = { breaker: state, consecutiveFailures, inFlight, maxConcurrent };
    if (state !== 'open') return status;
    return { ...status, nextProbeInMs: Math.max(0, this.nextProbeAt - Date.now()) };
  }

  /**
   * Open and not yet due for a probe, or half-open with the probe out. (Once the probe is due,
   * cockatiel lets the first call through as the probe, and turns half-open before the next.)
   */
  private refuses(state: CircuitState): boolean {
    if (state === CircuitState.HalfOpen || state === CircuitState.Isolated) return true;
    return state === CircuitState.Open && Date.now() < this.nextProbeAt;
  }

  /** Seconds until the next probe, at least 1 (a probe out now answers within its timeout). */
  private retryAfter(): number {
    return Math.max(1, Math.ceil((this.nextProbeAt - Date.now()) / 1_000));
  }

  private circuitOpen(): IamUpstreamUnavailableError {
    const label = UPSTREAM_LABELS[this.upstream];
    const last = this.lastFailure === undefined ? '' : ` (last: ${this.lastFailure})`;
    return new IamUpstreamUnavailableError(undefined, this.retryAfter(), {
      code: 'upstream.circuit_open',
      reason: `${label} of tenant "${this.tenant}": circuit breaker open${last}`,
    });
  }

  private saturated(): IamUpstreamUnavailableError {
    const label = UPSTREAM_LABELS[this.upstream];
    return new IamUpstreamUnavailableError(undefined, 1, {
      code: 'upstream.saturated',
      reason: `${label} of tenant "${this.tenant}": ${this.settings.maxConcurrent} calls in flight`,
    });
  }
}
