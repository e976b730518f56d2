import type { IamIdentity } from '../identity/iam-identity.js';
import type { PermissionSubject } from '../permissions/permission-tuple.js';
import { REQUIRED_PERMISSIONS_KEY } from './metadata-keys.js';

/**
 * What an object resolver sees: the parts of the request that name the object, and the verified
 * identity, nothing else. On an HTTP route: `params`, `query` and `body`, and `args` is empty. On a
 * GraphQL resolver: the resolver's own arguments in `args`, and `params`/`query` are empty and
 * `body` undefined, because the HTTP body of a GraphQL request (its variables, or a batch) need
 * not be what this field was called with: `a: deleteOrder(id: $id) b: deleteOrder(id: "x")` is
 * two checks with two objects. On a WebSocket gateway: the message's payload in `body`, and its
 * fields in `args` when it is an object, so `(req) => req.args.id` reads the same on a resolver
 * and on a gateway; `params`/`query` are empty.
 */
export interface PermissionRequestView {
  readonly params: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, unknown>>;
  readonly body: unknown;
  /**
   * The GraphQL resolver's arguments (e.g. `(req) => \`orders:${req.args.id}\``), or the fields of
   * a WebSocket message's payload; empty over HTTP.
   */
  readonly args: Readonly<Record<string, unknown>>;
  readonly identity: IamIdentity;
}

/** One Keto check a route requires. */
export interface PermissionRequirement {
  readonly namespace: string;
  readonly relation: string;
  /**
   * The object, or a function of the request (e.g. `(req) => req.params.id`). A function that
   * answers undefined or an empty string (a missing param) makes the check 403
   * `authz.permission.unresolved`, never a check of something else.
   */
  readonly object: string | ((request: PermissionRequestView) => string | undefined);
  /** The subject; it only ever sees the verified identity. Default: the identity's id. */
  readonly subject?: (identity: IamIdentity) => PermissionSubject;
}

/** Several checks of which one is enough. */
export interface AnyOfPermissions {
  readonly anyOf: readonly PermissionRequirement[];
}

export type PermissionRule = PermissionRequirement | AnyOfPermissions;

/** One of these checks is enough: `@RequirePermission(anyOf([...]))`. */
export function anyOf(requirements: readonly PermissionRequirement[]): AnyOfPermissions {
  if (requirements.length === 0) throw new TypeError('anyOf() needs at least one permission.');
  return Object.freeze({ anyOf: Object.freeze([...requirements]) });
}

function assertRequirement(requirement: PermissionRequirement): void {
  for (const field of ['namespace', 'relation'] as const) {
    if (typeof requirement[field] !== 'string' || requirement[field] === '') {
      throw new TypeError(`@RequirePermission needs a non-empty ${field}.`);
    }
  }
  const { object } = requirement;
  if (!(typeof object === 'function' || (typeof object === 'string' && object !== ''))) {
    throw new TypeError('@RequirePermission needs an object: a non-empty string or a function.');
  }
}

/**
 * Requires a Keto permission of the verified identity. Several on a handler and on its class must
 * all hold; `anyOf([...])` makes one of a group enough. All checks of a request go to Keto in one
 * batch. Denied → 403 `authz.permission.deny`; an object or subject that cannot be resolved → 403
 * `authz.permission.unresolved`; Keto unreachable → 503.
 */
export function RequirePermission(rule: PermissionRule): MethodDecorator & ClassDecorator {
  for (const requirement of 'anyOf' in rule ? rule.anyOf : [rule]) assertRequirement(requirement);
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const holder: object = descriptor === undefined ? target : descriptor.value;
    const existing: readonly PermissionRule[] =
      Reflect.getMetadata(REQUIRED_PERMISSIONS_KEY, holder) ?? [];
    Reflect.defineMetadata(REQUIRED_PERMISSIONS_KEY, Object.freeze([...existing, rule]), holder);
  };
}
