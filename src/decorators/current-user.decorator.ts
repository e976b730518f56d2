import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { IamIdentity } from '../identity/iam-identity.js';
import { requestFromContext } from '../request/execution-context.js';
import { getAuthState } from '../request/request-state.js';

/**
 * The verified caller (`IamIdentity`), or one of its fields with `@CurrentUser('id')`.
 * Undefined on a public route or for an anonymous request on an `@Anonymous()` route.
 */
export const CurrentUser = createParamDecorator(
  (field: keyof IamIdentity | undefined, context: ExecutionContext) => {
    const found = requestFromContext(context);
    const identity = found === undefined ? undefined : getAuthState(found.stateHolder)?.identity;
    return field === undefined ? identity : identity?.[field];
  },
);

/** The tenant the request was authenticated for; undefined on public routes. */
export const Tenant = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const found = requestFromContext(context);
  return found === undefined ? undefined : getAuthState(found.stateHolder)?.tenant;
});
