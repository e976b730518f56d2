import { IamConfigurationError } from '../errors/iam-errors.js';
import type { TokenGrantRequest } from '../ory/hydra/hydra-token-endpoint.js';
import type { ServiceTokenRequest } from './service-token.js';

/** An OAuth2 scope token (RFC 6749 §3.3), which is also what Hydra accepts as one audience. */
const TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** A grant request with both lists checked, deduplicated and sorted, and its cache key. */
export interface NormalizedTokenRequest extends TokenGrantRequest {
  readonly key: string;
}

/**
 * Checks and normalizes what the caller asked for. A mistake here is a programming error (an
 * empty audience would give a token any service ignoring `aud` accepts), thrown as an
 * `IamConfigurationError` before anything is sent.
 */
export function normalizeTokenRequest(request: ServiceTokenRequest): NormalizedTokenRequest {
  const problems: string[] = [];
  const audience = listOf('audience', request?.audience, problems);
  const scope = listOf('scope', request?.scope ?? [], problems);
  if (audience.length === 0 && problems.length === 0) {
    problems.push('audience: at least one receiving service is required');
  }
  if (problems.length > 0) throw new IamConfigurationError(problems);
  return { audience, scope, key: JSON.stringify([audience, scope]) };
}

function listOf(name: string, value: unknown, problems: string[]): readonly string[] {
  const values = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(values)) {
    problems.push(`${name}: must be a string or an array of strings`);
    return [];
  }
  for (const item of values) {
    if (typeof item !== 'string' || !TOKEN.test(item)) {
      problems.push(
        `${name}: every value must be a non-empty string without spaces, quotes or backslashes`,
      );
      return [];
    }
  }
  return [...new Set(values as string[])].sort();
}
