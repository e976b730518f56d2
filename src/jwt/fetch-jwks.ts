import type { JWK } from 'jose';
import { BodyTooLargeError, readCappedBody } from './read-capped-body.js';

/**
 * Why a JWKS fetch failed, as the `reason` of its `jwks.refresh.failure` audit event. Stable
 * words, never the URL or the body (audit sinks are often less protected than the JWKS).
 */
export type JwksFetchFailure =
  | 'timeout'
  | 'unreachable'
  | 'status'
  | 'too_large'
  | 'not_json'
  | 'not_a_jwks'
  | 'too_many_keys'
  | 'no_usable_key';

/** A fetch whose result must not replace the keys in use. */
export class JwksFetchError extends Error {
  constructor(
    readonly reason: JwksFetchFailure,
    message: string,
  ) {
    super(message);
    this.name = 'JwksFetchError';
  }
}

export interface JwksFetchLimits {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly maxKeys: number;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function keysOf(text: string, maxKeys: number): JWK[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new JwksFetchError('not_json', 'The JWKS response is not JSON.');
  }
  const keys = isPlainObject(body) ? body.keys : undefined;
  if (!Array.isArray(keys)) {
    throw new JwksFetchError('not_a_jwks', 'The JWKS response has no "keys" array.');
  }
  // Before any key is looked at: the import work is bounded by maxKeys, not by what was sent.
  if (keys.length > maxKeys) {
    throw new JwksFetchError('too_many_keys', `The JWKS lists more than ${maxKeys} keys.`);
  }
  if (!keys.every(isPlainObject)) {
    throw new JwksFetchError('not_a_jwks', 'The JWKS "keys" array holds a non-object.');
  }
  return keys as JWK[];
}

/**
 * GETs a JWKS with Node's fetch (jose's remote key set cannot cap a body) within `timeoutMs` for
 * the whole exchange, body included. No redirects: the configured URL is the one trusted. The body
 * is capped at `maxBytes` while streaming, and the key count at `maxKeys` before any import.
 */
export async function fetchJwks(url: string, limits: JwksFetchLimits): Promise<JWK[]> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      headers: { Accept: 'application/json' },
      redirect: 'manual',
      signal,
    });
  } catch (error) {
    throw failureOf(error, 'unreachable');
  }
  try {
    if (response.status !== 200) {
      throw new JwksFetchError('status', `The JWKS endpoint answered ${response.status}.`);
    }
    text = (await readCappedBody(response, limits.maxBytes)).toString('utf8');
  } catch (error) {
    throw failureOf(error, 'unreachable');
  } finally {
    await response.body?.cancel().catch(() => undefined);
  }
  return keysOf(text, limits.maxKeys);
}

function failureOf(error: unknown, otherwise: JwksFetchFailure): JwksFetchError {
  if (error instanceof JwksFetchError) return error;
  if (error instanceof BodyTooLargeError) return new JwksFetchError('too_large', error.message);
  if (error instanceof Error && error.name === 'TimeoutError') {
    return new JwksFetchError('timeout', 'The JWKS endpoint did not answer in time.');
  }
  return new JwksFetchError(otherwise, 'The JWKS endpoint could not be reached.');
}
