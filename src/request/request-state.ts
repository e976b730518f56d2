import type { IamIdentity } from '../identity/iam-identity.js';
import { requestSlot } from './request-slot.js';

/** What SessionGuard proved for one request; kept with the platform request (see `requestSlot`). */
export interface RequestAuthState {
  readonly tenant: string;
  /** Undefined when the request carried no credentials. */
  readonly identity: IamIdentity | undefined;
}

const states = requestSlot<RequestAuthState>('request-state');
const pendingAuthentications = requestSlot<Promise<RequestAuthState>>('authentication');

export function getAuthState(request: object): RequestAuthState | undefined {
  return states.get(request);
}

export function setAuthState(request: object, state: RequestAuthState): void {
  states.set(request, Object.freeze(state));
}

/**
 * The one authentication of a request, started by the first guard that needs it. GraphQL runs the
 * resolvers of one HTTP request concurrently on the same request object: they all await this
 * promise, so a token is verified and its jti claimed once, and a failure is the same for all.
 */
export function authenticationOf(
  request: object,
  start: () => RequestAuthState | Promise<RequestAuthState>,
): RequestAuthState | Promise<RequestAuthState> {
  const pending = pendingAuthentications.get(request);
  if (pending !== undefined) return pending;
  let authentication: RequestAuthState | Promise<RequestAuthState>;
  try {
    authentication = start();
  } catch (error) {
    // Kept as a rejection, so a resolver that asks next fails the same way instead of verifying
    // again; the catch only marks it handled, the caller still throws.
    const failed = Promise.reject(error);
    failed.catch(ignoreRejection);
    pendingAuthentications.set(request, failed);
    throw error;
  }
  // Done at once: the state is already on the request (setAuthState), so nothing needs a promise.
  if (authentication instanceof Promise) pendingAuthentications.set(request, authentication);
  return authentication;
}

function ignoreRejection(): void {}

/**
 * The verified identity of a request, or of a gateway's client socket (a WebSocket connection keeps
 * its own); undefined when it is anonymous or not yet authenticated.
 */
export function getIdentity(request: object): IamIdentity | undefined {
  return getAuthState(request)?.identity;
}
