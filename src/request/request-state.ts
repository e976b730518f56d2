import type { IamIdentity } from '../identity/iam-identity.js';

const IAM_STATE = Symbol.for('nestjs-ory-iam:request-state');

/** What SessionGuard decided for one request; kept on the platform request under a symbol. */
export interface RequestAuthState {
  readonly tenant: string;
  /** Undefined for an anonymous request on an `@Anonymous()` route. */
  readonly identity: IamIdentity | undefined;
}

type WithState = { [IAM_STATE]?: RequestAuthState };

export function getAuthState(request: object): RequestAuthState | undefined {
  return (request as WithState)[IAM_STATE];
}

// A plain assignment: a symbol key is already left out of JSON, Object.keys and for-in, and a
// defineProperty with non-default flags on every request pushes the platform's request object
// off V8's fast property path. The state itself is frozen.
export function setAuthState(request: object, state: RequestAuthState): void {
  (request as WithState)[IAM_STATE] = Object.freeze(state);
}

/** The verified identity of a request, or undefined when it is anonymous or not yet authenticated. */
export function getIdentity(request: object): IamIdentity | undefined {
  return getAuthState(request)?.identity;
}
