import type { IamIdentity } from '../identity/iam-identity.js';

const IAM_STATE = Symbol.for('nestjs-ory-iam:request-state');
const IAM_AUTHENTICATION = Symbol.for('nestjs-ory-iam:authentication');

/** What SessionGuard proved for one request; kept on the platform request under a symbol. */
export interface RequestAuthState {
  readonly tenant: string;
  /** Undefined when the request carried no credentials. */
  readonly identity: IamIdentity | undefined;
}

type WithState = {
  [IAM_STATE]?: RequestAuthState;
  [IAM_AUTHENTICATION]?: Promise<RequestAuthState>;
};

export function getAuthState(request: object): RequestAuthState | undefined {
  return (request as WithState)[IAM_STATE];
}

// A plain assignment: a symbol key is already left out of JSON, Object.keys and for-in, and a
// defineProperty with non-default flags on every request pushes the platform's request object
// off V8's fast property path. The state itself is frozen.
export function setAuthState(request: object, state: RequestAuthState): void {
  (request as WithState)[IAM_STATE] = Object.freeze(state);
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
  const holder = request as WithState;
  const pending = holder[IAM_AUTHENTICATION];
  if (pending !== undefined) return pending;
  let authentication: RequestAuthState | Promise<RequestAuthState>;
  try {
    authentication = start();
  } catch (error) {
    // Kept as a rejection, so a resolver that asks next fails the same way instead of verifying
    // again; the catch only marks it handled, the caller still throws.
    const failed = Promise.reject(error);
    failed.catch(ignoreRejection);
    holder[IAM_AUTHENTICATION] = failed;
    throw error;
  }
  // Done at once: the state is already on the request (setAuthState), so nothing needs a promise.
  if (authentication instanceof Promise) holder[IAM_AUTHENTICATION] = authentication;
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
