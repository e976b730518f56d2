import type { Deadline } from '../deadline/deadline.js';
import type { IamIdentity } from '../identity/iam-identity.js';
import type { JwksStoreStatus } from '../jwt/jwks-key-store.js';
import type { IamRequest } from '../request/iam-request.js';

/**
 * Proves who sent a request for one tenant.
 * Resolves `undefined` when the request carries no credentials at all; throws an `IamHttpError`
 * (401, 403 or 503 with a stable code) when it carries credentials that do not hold. Upstream work
 * (Kratos, a JWKS refetch, the replay store) draws from the request's `deadline`; without one,
 * each upstream call has the tenant's `http.deadlineMs`.
 */
export interface Transport {
  authenticate(request: IamRequest, deadline?: Deadline): Promise<IamIdentity | undefined>;
  /**
   * `authenticate` without a promise when nothing is waited for (a cached key, an in-process
   * replay cache); throws what `authenticate` rejects with. SessionGuard prefers it.
   */
  authenticateNow?(
    request: IamRequest,
    deadline?: Deadline,
  ): IamIdentity | undefined | Promise<IamIdentity | undefined>;
  /** Starts background work (JWKS prefetch, refresh timers). Never throws. */
  start?(): void;
  /** Stops timers and releases connections. */
  close?(): Promise<void> | void;
  /** The JWKS key store's state, for the health indicator; only a JWT transport has one. */
  jwksStatus?(): JwksStoreStatus;
}
