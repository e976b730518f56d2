import type { IamErrorCode } from '../errors/error-codes.js';
import { IamUpstreamUnavailableError, iamErrorFor } from '../errors/iam-errors.js';
import type { IamIdentity } from '../identity/iam-identity.js';
import type { PermissionChecker } from '../permissions/permission-checker.js';
import type { PermissionTuple } from '../permissions/permission-tuple.js';
import type { Transport } from '../transport/transport.js';

/** How a test answers permission checks: one answer for all, or per tuple. */
export type IamTestingPermissions = boolean | ((tuple: PermissionTuple) => boolean);

/** The identity a test wants the guards to see; `tenant` and `roles` default from the module. */
export type IamTestingIdentity = Partial<Omit<IamIdentity, 'id'>> & { id: string };

/**
 * What the guards see in a test, changeable between requests: the current identity (or none), its
 * roles, the answers to permission checks, or an error the transport should fail with (e.g.
 * `auth.upstream_unavailable`).
 * Get it with `app.get(IamTestingState)`.
 */
export class IamTestingState implements Transport, PermissionChecker {
  private identity: IamIdentity | undefined;
  private failure: IamErrorCode | undefined;
  private permissions: IamTestingPermissions = false;
  /** Every permission check the guards asked for, in order. */
  readonly checkedPermissions: PermissionTuple[] = [];

  constructor(
    private readonly tenant: string,
    private readonly initial: IamTestingIdentity | null,
    private readonly initialPermissions: IamTestingPermissions = false,
  ) {
    this.reset();
  }

  /** Authenticates every following request as this identity; `null` sends no credentials. */
  setIdentity(identity: IamTestingIdentity | null): this {
    this.identity =
      identity === null
        ? undefined
        : Object.freeze({
            tenant: this.tenant,
            roles: [],
            via: 'testing' as const,
            ...identity,
          });
    this.failure = undefined;
    return this;
  }

  /** Replaces the roles of the current identity. */
  setRoles(roles: readonly string[]): this {
    if (this.identity === undefined) {
      throw new Error('IamTestingState.setRoles needs an identity; call setIdentity first.');
    }
    this.identity = Object.freeze({ ...this.identity, roles: Object.freeze([...roles]) });
    return this;
  }

  /** Makes authentication fail with this code (401, 403 or 503) until the next setIdentity or reset. */
  failWith(code: IamErrorCode): this {
    this.failure = code;
    return this;
  }

  /** Answers `@RequirePermission` checks: true/false for all, or a function per tuple. */
  setPermissions(answer: IamTestingPermissions): this {
    this.permissions = answer;
    return this;
  }

  /** Back to the identity and permission answers the module was created with. */
  reset(): this {
    this.setIdentity(this.initial);
    this.permissions = this.initialPermissions;
    this.checkedPermissions.length = 0;
    return this;
  }

  async checkMany(
    _tenant: string,
    tuples: readonly PermissionTuple[],
  ): Promise<readonly boolean[]> {
    this.checkedPermissions.push(...tuples);
    const answer = this.permissions;
    return tuples.map((tuple) => (typeof answer === 'function' ? answer(tuple) : answer));
  }

  async authenticate(): Promise<IamIdentity | undefined> {
    if (this.failure === 'auth.upstream_unavailable') throw new IamUpstreamUnavailableError();
    if (this.failure !== undefined) throw iamErrorFor(this.failure);
    return this.identity;
  }
}
