import type { UnauthorizedCode } from '../errors/error-codes.js';
import type { IamIdentity } from '../identity/iam-identity.js';

/**
 * Why a WebSocket connection may no longer act as `identity`, or undefined while it may: its JWT
 * or session expired (the code an HTTP request with that credential gets), or its credential has
 * no expiry to watch (the legacy HMAC transport), which a connection living on cannot be trusted
 * with. A testing identity lives until the test gives it an `expiresAt`.
 */
export function connectionExpiry(identity: IamIdentity, now: number): UnauthorizedCode | undefined {
  const { expiresAt } = identity;
  if (expiresAt === undefined) {
    return identity.via === 'testing' ? undefined : 'auth.failure.unsupported_context';
  }
  if (expiresAt > now) return undefined;
  return identity.via === 'oathkeeper-jwt'
    ? 'auth.failure.expired'
    : 'auth.failure.session_inactive';
}
