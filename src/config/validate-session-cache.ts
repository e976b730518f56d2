import type { ConfigSection } from './config-section.js';
import { DEFAULT_SESSION_CACHE_TTL_MS } from './defaults.js';
import type { ValidatedKratosConfig } from './tenant-config.js';

const SESSION_CACHE_KEYS = ['enabled', 'ttlMs'] as const;

/** Validates `kratos.sessionCache`; absent stays absent (no cache). */
export function validateSessionCache(
  kratos: ConfigSection | undefined,
): ValidatedKratosConfig['sessionCache'] {
  const cache = kratos?.section('sessionCache');
  if (cache === undefined) return undefined;
  cache.allowOnly(SESSION_CACHE_KEYS);
  cache.require('enabled');
  return {
    enabled: cache.boolean('enabled', false),
    ttlMs: cache.integer('ttlMs', DEFAULT_SESSION_CACHE_TTL_MS),
  };
}
