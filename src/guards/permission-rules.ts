import type {
  PermissionRequestView,
  PermissionRequirement,
  PermissionRule,
} from '../decorators/require-permission.decorator.js';
import { IamForbiddenError } from '../errors/iam-errors.js';
import type { IamIdentity } from '../identity/iam-identity.js';
import type { PermissionTuple } from '../permissions/permission-tuple.js';
import { isPermissionSubject } from '../permissions/validate-tuple.js';
import type { ContextRequest } from '../request/execution-context.js';

function unresolved(): IamForbiddenError {
  return new IamForbiddenError('authz.permission.unresolved');
}

/**
 * Turns a requirement into the tuple to check for this request. A resolver that throws, or answers
 * anything but a non-empty string (a subject set for `subject`), is a 403 `unresolved`: never a 500
 * and never a check of something else.
 */
export function resolveTuple(
  requirement: PermissionRequirement,
  view: PermissionRequestView,
): PermissionTuple {
  let object: unknown;
  let subject: unknown;
  try {
    object =
      typeof requirement.object === 'function' ? requirement.object(view) : requirement.object;
    subject =
      requirement.subject === undefined ? view.identity.id : requirement.subject(view.identity);
  } catch {
    throw unresolved();
  }
  if (typeof object !== 'string' || object === '' || !isPermissionSubject(subject))
    throw unresolved();
  return {
    namespace: requirement.namespace,
    relation: requirement.relation,
    object,
    subject:
      typeof subject === 'string'
        ? subject
        : { namespace: subject.namespace, object: subject.object, relation: subject.relation },
  };
}

/** The groups of tuples of which one must hold each: a plain requirement is a group of one. */
export function resolveRules(
  rules: readonly PermissionRule[],
  view: PermissionRequestView,
): PermissionTuple[][] {
  return rules.map((rule) =>
    ('anyOf' in rule ? rule.anyOf : [rule]).map((requirement) => resolveTuple(requirement, view)),
  );
}

const NOTHING: Readonly<Record<string, never>> = Object.freeze({});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The view of the request an object resolver gets; see {@link PermissionRequestView}. */
export function viewOf(found: ContextRequest, identity: IamIdentity): PermissionRequestView {
  if (found.graphqlArgs !== undefined) {
    return Object.freeze({
      params: NOTHING,
      query: NOTHING,
      body: undefined,
      args: found.graphqlArgs,
      identity,
    });
  }
  if (found.ws !== undefined) {
    const { data } = found.ws;
    return Object.freeze({
      params: NOTHING,
      query: NOTHING,
      body: data,
      args: isRecord(data) ? Object.freeze({ ...data }) : NOTHING,
      identity,
    });
  }
  const { request } = found;
  return Object.freeze({
    params: request.params,
    query: request.query,
    body: request.body,
    args: NOTHING,
    identity,
  });
}
