import type { ConfigSection } from './config-section.js';
import {
  DEFAULT_BREAKER_ENABLED,
  DEFAULT_BREAKER_FAILURE_THRESHOLD,
  DEFAULT_BREAKER_HALF_OPEN_AFTER_MS,
  DEFAULT_HTTP_DEADLINE_MS,
  DEFAULT_HTTP_MAX_CONCURRENT,
  DEFAULT_HTTP_RETRIES,
  DEFAULT_HTTP_TIMEOUT_MS,
  MAX_BREAKER_FAILURE_THRESHOLD,
  MAX_HTTP_MAX_CONCURRENT,
  MAX_HTTP_RETRIES,
} from './defaults.js';
import type { ValidatedHttpConfig } from './http-config.js';

const HTTP_KEYS = ['timeoutMs', 'retries', 'deadlineMs', 'maxConcurrent', 'breaker'] as const;
const BREAKER_KEYS = ['enabled', 'failureThreshold', 'halfOpenAfterMs'] as const;

const DEFAULT_BREAKER: ValidatedHttpConfig['breaker'] = {
  enabled: DEFAULT_BREAKER_ENABLED,
  failureThreshold: DEFAULT_BREAKER_FAILURE_THRESHOLD,
  halfOpenAfterMs: DEFAULT_BREAKER_HALF_OPEN_AFTER_MS,
};

function validateBreaker(breaker: ConfigSection | undefined): ValidatedHttpConfig['breaker'] {
  if (breaker === undefined) return DEFAULT_BREAKER;
  breaker.allowOnly(BREAKER_KEYS);
  return {
    enabled: breaker.boolean('enabled', DEFAULT_BREAKER_ENABLED),
    failureThreshold: breaker.integer('failureThreshold', DEFAULT_BREAKER_FAILURE_THRESHOLD, {
      max: MAX_BREAKER_FAILURE_THRESHOLD,
      unit: 'failures',
    }),
    halfOpenAfterMs: breaker.integer('halfOpenAfterMs', DEFAULT_BREAKER_HALF_OPEN_AFTER_MS),
  };
}

/** Validates a tenant's `http` block: timeouts, retries, the bulkhead and the circuit breaker. */
export function validateHttp(http: ConfigSection | undefined): ValidatedHttpConfig {
  if (http === undefined) {
    return {
      timeoutMs: DEFAULT_HTTP_TIMEOUT_MS,
      retries: DEFAULT_HTTP_RETRIES,
      deadlineMs: DEFAULT_HTTP_DEADLINE_MS,
      maxConcurrent: DEFAULT_HTTP_MAX_CONCURRENT,
      breaker: DEFAULT_BREAKER,
    };
  }
  http.allowOnly(HTTP_KEYS);
  return {
    timeoutMs: http.integer('timeoutMs', DEFAULT_HTTP_TIMEOUT_MS),
    retries: http.integer('retries', DEFAULT_HTTP_RETRIES, {
      min: 0,
      max: MAX_HTTP_RETRIES,
      unit: 'retries',
    }),
    deadlineMs: http.integer('deadlineMs', DEFAULT_HTTP_DEADLINE_MS),
    maxConcurrent: http.integer('maxConcurrent', DEFAULT_HTTP_MAX_CONCURRENT, {
      max: MAX_HTTP_MAX_CONCURRENT,
      unit: 'calls',
    }),
    breaker: validateBreaker(http.section('breaker')),
  };
}
