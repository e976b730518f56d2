import type { JwksStoreStatus } from '../jwt/jwks-key-store.js';
import type { IamDependencyHealth } from './probe.js';

/**
 * The JWKS entry of a tenant: the endpoint's answer, and what the tenant's key store can verify
 * with. A reachable endpoint is not enough: until the store has loaded a set, or once its keys are
 * older than `maxStaleMs`, every request gets 503, so the dependency is down.
 */
export function jwksHealth(
  probed: IamDependencyHealth,
  keyStore: JwksStoreStatus | undefined,
): IamDependencyHealth {
  if (keyStore === undefined) return probed;
  let unusable: string | undefined;
  if (keyStore.lastRefreshAgeMs === null) unusable = 'no key set loaded yet';
  else if (keyStore.stale) unusable = 'the keys are older than maxStaleMs';
  if (probed.status === 'down' || unusable === undefined) return { ...probed, keyStore };
  return { status: 'down', message: unusable, keyStore };
}
