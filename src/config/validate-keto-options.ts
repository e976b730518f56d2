import type { ConfigSection } from './config-section.js';
import {
  DEFAULT_DECISION_CACHE_MAX_ENTRIES,
  DEFAULT_DECISION_CACHE_TTL_MS,
  DEFAULT_KETO_MAX_BATCH_CHECK_SIZE,
  MAX_DECISION_CACHE_TTL_MS,
} from './defaults.js';
import type { ValidatedKetoConfig } from './keto-config.js';

/** The `keto` keys that are not endpoints: allowed in self-hosted and in cloud mode. */
export const KETO_TUNING_KEYS = ['maxBatchCheckSize', 'decisionCache'] as const;

const DECISION_CACHE_KEYS = ['enabled', 'ttlMs', 'maxEntries'] as const;

/** Validates `keto.maxBatchCheckSize` and `keto.decisionCache` (absent stays absent: no cache). */
export function validateKetoTuning(
  keto: ConfigSection | undefined,
): Pick<ValidatedKetoConfig, 'maxBatchCheckSize' | 'decisionCache'> {
  // Absent stays absent (like the caches): the checker applies Keto's default.
  const maxBatchCheckSize = keto?.has('maxBatchCheckSize')
    ? keto.integer('maxBatchCheckSize', DEFAULT_KETO_MAX_BATCH_CHECK_SIZE, {
        max: 1_000,
        unit: 'tuples',
      })
    : undefined;
  const batch = maxBatchCheckSize === undefined ? {} : { maxBatchCheckSize };
  const cache = keto?.section('decisionCache');
  if (cache === undefined) return batch;
  cache.allowOnly(DECISION_CACHE_KEYS);
  cache.require('enabled');
  return {
    ...batch,
    decisionCache: {
      enabled: cache.boolean('enabled', false),
      ttlMs: cache.integer('ttlMs', DEFAULT_DECISION_CACHE_TTL_MS, {
        max: MAX_DECISION_CACHE_TTL_MS,
      }),
      maxEntries: cache.integer('maxEntries', DEFAULT_DECISION_CACHE_MAX_ENTRIES, {
        max: 10_000_000,
        unit: 'entries',
      }),
    },
  };
}
