import type { ValidatedCsrfConfig } from '../config/tenant-config.js';
import { IamForbiddenError } from '../errors/iam-errors.js';
import type { IamRequest } from '../request/iam-request.js';

/** Methods a browser may send cross-site without the page being able to change anything. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

/**
 * Refuses a cookie-authenticated request with an unsafe method that a browser says another site
 * made (see `CsrfConfig`). `Sec-Fetch-Site` is set by the browser and cannot be forged by a page;
 * browsers without it send `Origin` on cross-origin POSTs, checked against the request's own host
 * and the trusted origins. A request with neither is not from a browser that would attach the
 * cookie on another site's behalf, and passes.
 */
export function checkCsrfOrigin(
  request: IamRequest,
  csrf: ValidatedCsrfConfig,
  trustProxy: boolean,
): void {
  if (!csrf.enabled || SAFE_METHODS.has(request.method.toUpperCase())) return;
  const origin = request.header('origin');
  const trusted = origin !== undefined && csrf.trustedOrigins.includes(origin);
  const site = request.header('sec-fetch-site');
  if (site !== undefined) {
    if (site === 'same-origin' || site === 'none' || trusted) return;
    throw new IamForbiddenError('auth.csrf.origin_mismatch');
  }
  if (origin === undefined || trusted) return;
  const host = request.host(trustProxy);
  if (host !== undefined && originHost(origin) === host) return;
  throw new IamForbiddenError('auth.csrf.origin_mismatch');
}
