import { deadlineForCall } from '../../deadline/deadline.js';
import { IamConfigurationError } from '../../errors/iam-errors.js';
import type {
  PermissionSubject,
  PermissionTree,
  PermissionTuple,
  PermissionTuplePage,
  SubjectSet,
} from '../../permissions/permission-tuple.js';
import { assertPermissionTuple, assertSubjectSet } from '../../permissions/validate-tuple.js';
import { callOry, type OryRequestOptions, type OryResponse } from '../ory-call.js';
import type { KetoClients } from '../ory-clients.js';
import { relationshipPage } from './keto-answers.js';
import { ketoCallFailure } from './keto-errors.js';
import type { KetoPermissionChecker } from './keto-permission-checker.js';
import { fromExpandedTree, subjectQuery, toRelationship } from './keto-tuples.js';

/** Which tuples `list` returns; every field is optional. */
export interface PermissionTupleFilter {
  readonly namespace?: string;
  readonly object?: string;
  readonly relation?: string;
  readonly subject?: PermissionSubject;
}

export interface PermissionPaging {
  /** Default: Keto's (100). */
  readonly pageSize?: number;
  readonly pageToken?: string;
}

/**
 * One tenant's Keto, as `PermissionService.forTenant(tenant)` returns it. Every tuple must be
 * complete (a `TypeError` otherwise, before anything is sent). Keto refusing a call as invalid or
 * unknown (e.g. a namespace it does not have) → `IamPermissionRequestError`; Keto unreachable,
 * timing out or answering 5xx → `IamUpstreamUnavailableError` (503). Reads are retried, writes not.
 */
export interface TenantPermissions {
  /** Whether the tuple holds (directly or through subject sets). */
  check(tuple: PermissionTuple): Promise<boolean>;
  /** Several checks in as few Keto calls as possible (batched); answers in input order. */
  checkMany(tuples: readonly PermissionTuple[]): Promise<readonly boolean[]>;
  /** Writes the tuple; granting one that exists changes nothing. Clears the decision cache. */
  grant(tuple: PermissionTuple): Promise<void>;
  /**
   * Deletes exactly this tuple; revoking one that does not exist is not an error. Clears the
   * decision cache. Never a wildcard delete: every part of the tuple is required.
   */
  revoke(tuple: PermissionTuple): Promise<void>;
  /** Tuples matching the filter, one page at a time (`nextPageToken` for the next). */
  list(filter?: PermissionTupleFilter, paging?: PermissionPaging): Promise<PermissionTuplePage>;
  /**
   * The tree of subjects that have `relation` on `namespace:object`, following subject sets up to
   * `maxDepth` (Keto's default when omitted). Undefined when no tuple grants that relation.
   */
  expand(subjectSet: SubjectSet, maxDepth?: number): Promise<PermissionTree | undefined>;
}

/** {@link TenantPermissions} over the tenant's Keto. */
export class KetoTenantPermissions implements TenantPermissions {
  constructor(
    private readonly tenant: string,
    private readonly keto: KetoClients,
    private readonly checker: KetoPermissionChecker,
  ) {}

  /** One deadline for the whole check, with this object's call options (signal, deadlineMs). */
  private async checkWithinDeadline(
    tuples: readonly PermissionTuple[],
  ): Promise<readonly boolean[]> {
    const { deadlineMs, signal } = this.keto.policy;
    const deadline = deadlineForCall(deadlineMs, signal);
    try {
      return await this.checker.checkMany(this.tenant, tuples, deadline);
    } finally {
      deadline.dispose();
    }
  }

  async check(tuple: PermissionTuple): Promise<boolean> {
    const [allowed] = await this.checkMany([tuple]);
    return allowed === true;
  }

  checkMany(tuples: readonly PermissionTuple[]): Promise<readonly boolean[]> {
    for (const tuple of tuples) assertPermissionTuple(tuple, 'PermissionService.checkMany');
    return this.checkWithinDeadline(tuples);
  }

  /**
   * Writes the tuple; granting one that exists changes nothing. Clears the decision cache. Keto
   * (v0.14) stores a second copy of a tuple written twice, so the tuple is looked up first; two
   * grants racing can still leave two copies, which checks do not mind and `revoke` removes.
   */
  async grant(tuple: PermissionTuple): Promise<void> {
    assertPermissionTuple(tuple, 'PermissionService.grant');
    const write = this.writeApi();
    const existing = await this.list(tuple, { pageSize: 1 });
    if (existing.tuples.length > 0) return;
    await this.write('Keto grant', (options) =>
      write.createRelationship({ createRelationshipBody: toRelationship(tuple) }, options),
    );
  }

  async revoke(tuple: PermissionTuple): Promise<void> {
    assertPermissionTuple(tuple, 'PermissionService.revoke');
    const write = this.writeApi();
    await this.write('Keto revoke', (options) =>
      write.deleteRelationships(
        {
          namespace: tuple.namespace,
          object: tuple.object,
          relation: tuple.relation,
          ...subjectQuery(tuple.subject),
        },
        options,
      ),
    );
  }

  async list(
    filter: PermissionTupleFilter = {},
    paging: PermissionPaging = {},
  ): Promise<PermissionTuplePage> {
    const { data } = await this.read('Keto list', (options) =>
      this.keto.readRelationships.getRelationships(
        {
          namespace: filter.namespace,
          object: filter.object,
          relation: filter.relation,
          ...(filter.subject === undefined ? {} : subjectQuery(filter.subject)),
          pageSize: paging.pageSize,
          pageToken: paging.pageToken,
        },
        options,
      ),
    );
    try {
      return relationshipPage('Keto list', data);
    } catch (error) {
      throw ketoCallFailure('Keto list', error);
    }
  }

  async expand(subjectSet: SubjectSet, maxDepth?: number): Promise<PermissionTree | undefined> {
    assertSubjectSet(subjectSet, 'PermissionService.expand');
    const { namespace, object, relation } = subjectSet;
    const { data } = await this.read('Keto expand', (options) =>
      this.keto.read.expandPermissions({ namespace, object, relation, maxDepth }, options),
    );
    return fromExpandedTree(data);
  }

  private async read<T>(
    operation: string,
    call: (options: OryRequestOptions) => Promise<OryResponse<T>>,
  ): Promise<OryResponse<T>> {
    try {
      return await callOry(operation, this.keto.policy, call, {
        idempotent: true,
        guard: this.keto.guards.read,
      });
    } catch (error) {
      throw ketoCallFailure(operation, error);
    }
  }

  private async write(
    operation: string,
    call: (options: OryRequestOptions) => Promise<OryResponse<unknown>>,
  ): Promise<void> {
    try {
      await callOry(operation, this.keto.policy, call, {
        idempotent: false,
        guard: this.keto.guards.write,
      });
    } catch (error) {
      throw ketoCallFailure(operation, error);
    } finally {
      // Also after a failed write: a timed-out write may have happened.
      this.checker.invalidate(this.tenant);
    }
  }

  private writeApi() {
    if (this.keto.write === undefined) {
      throw new IamConfigurationError([
        `tenants.${this.tenant}.keto.writeUrl: is required to write tuples`,
      ]);
    }
    return this.keto.write;
  }
}
