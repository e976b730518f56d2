/**
 * Operator-facing text for why a call to an upstream (Kratos, Keto, a JWKS endpoint, Redis) failed,
 * for logs and audit events: `ECONNREFUSED 127.0.0.1:4466`, `HTTP 404 from http://keto:4466/...`,
 * `no answer in time from ...`, `Redis OOM`. Built from error codes, addresses, statuses and URLs
 * only, never from messages or bodies (they may echo what was sent), except for the code word that
 * opens a Redis error reply; a URL loses its query string (it carries subjects and objects) and
 * its user-info (it may carry credentials).
 */
export function describeUpstreamFailure(error: unknown): string {
  const failure = asRecord(error);
  if (failure === undefined) return typeof error;
  const url = safeUrl(asRecord(failure.config)?.url);
  const from = url === undefined ? '' : ` from ${url}`;
  const status = asRecord(failure.response)?.status;
  if (typeof status === 'number') return `HTTP ${status}${from}`;
  const code = systemCode(failure);
  if (code !== undefined) {
    if (TIMEOUT_CODES.has(code)) return `no answer in time${from}`;
    const where = endpointOf(failure) ?? endpointOf(asRecord(failure.cause));
    return where === undefined ? `${code}${from}` : `${code} ${where}`;
  }
  const redisCode = redisErrorCode(failure);
  if (redisCode !== undefined) return `Redis ${redisCode}`;
  // fetch() rejects with a bare TypeError whose cause says what happened.
  if (failure.cause !== undefined && failure.cause !== error) {
    return describeUpstreamFailure(failure.cause);
  }
  return typeof failure.name === 'string' ? failure.name : 'unknown error';
}

/** A URL without its query string, fragment and user-info; undefined when it is not one. */
function safeUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return undefined;
  }
}

/** Codes of a request that got no answer before its timeout or abort signal. */
const TIMEOUT_CODES: ReadonlySet<string> = new Set([
  'ECONNABORTED',
  'ETIMEDOUT',
  'ERR_CANCELED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'ABORT_ERR',
]);

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)
    : undefined;
}

function systemCode(failure: Record<string, unknown>): string | undefined {
  if (failure.name === 'TimeoutError' || failure.name === 'AbortError') return 'ETIMEDOUT';
  const code = failure.code ?? asRecord(failure.cause)?.code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code) ? code : undefined;
}

/** `address:port` of a Node system error, or the host name a DNS lookup failed for. */
function endpointOf(failure: Record<string, unknown> | undefined): string | undefined {
  if (failure === undefined) return undefined;
  const { address, port, hostname } = failure;
  if (typeof address === 'string') {
    return typeof port === 'number' ? `${address}:${port}` : address;
  }
  return typeof hostname === 'string' ? hostname : undefined;
}

/**
 * The error code Redis puts first in an error reply (`OOM`, `READONLY`, `NOPERM`, `NOSCRIPT`...):
 * what an operator needs to tell a full Redis from a replica or a missing permission. The rest of
 * the message may name the user or echo the command, and is left out.
 */
function redisErrorCode(failure: Record<string, unknown>): string | undefined {
  if (failure.name !== 'ReplyError' || typeof failure.message !== 'string') return undefined;
  return /^([A-Z][A-Z0-9_]*)(?: |$)/.exec(failure.message)?.[1];
}
