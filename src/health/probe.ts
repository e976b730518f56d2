import { DEFAULT_JWKS_MAX_BYTES } from '../config/defaults.js';
import type { JwksStoreStatus } from '../jwt/jwks-key-store.js';
import { BodyTooLargeError, readCappedBody } from '../jwt/read-capped-body.js';

/** The outcome of probing one dependency. */
export interface IamDependencyHealth {
  readonly status: 'up' | 'down';
  /** Why it is down, without URLs or response bodies (health output is often public). */
  readonly message?: string;
  /** JWKS only, in a running app: the tenant's key store (keys, age of the last success, stale). */
  readonly keyStore?: JwksStoreStatus;
}

/** Which answers count as "up". */
export type ProbeExpectation = 'ready' | 'answers' | 'jwks';

function hasKeys(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const { keys } = body as { keys?: unknown };
  return Array.isArray(keys) && keys.length > 0;
}

/**
 * One GET with a hard timeout and no retry: a health check reports the present, and retrying
 * would only make a probe outlast the orchestrator's own timeout.
 * - `ready`: 200 (an Ory `/health/ready`: the server and its database are up);
 * - `answers`: any answer below 500 (the server is reachable);
 * - `jwks`: 200 with a JSON Web Key Set holding at least one key, in at most `maxBodyBytes`.
 */
export async function probe(
  url: string,
  expectation: ProbeExpectation,
  timeoutMs: number,
  maxBodyBytes = DEFAULT_JWKS_MAX_BYTES,
): Promise<IamDependencyHealth> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { Accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    return {
      status: 'down',
      message: timedOut ? `no answer within ${timeoutMs} ms` : 'unreachable',
    };
  }
  try {
    if (expectation === 'answers') {
      return response.status < 500
        ? { status: 'up' }
        : { status: 'down', message: `answered ${response.status}` };
    }
    if (response.status !== 200) return { status: 'down', message: `answered ${response.status}` };
    if (expectation === 'ready') return { status: 'up' };
    const body: unknown = JSON.parse(
      (await readCappedBody(response, maxBodyBytes)).toString('utf8'),
    );
    return hasKeys(body)
      ? { status: 'up' }
      : { status: 'down', message: 'answered without a key set holding keys' };
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      return { status: 'down', message: 'answered with a key set larger than maxBytes' };
    }
    return { status: 'down', message: 'answered with an unreadable key set' };
  } finally {
    await response.body?.cancel().catch(() => undefined);
  }
}
