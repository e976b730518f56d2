import { IamConfigurationError } from '../../errors/iam-errors.js';
import type {
  PermissionSubject,
  PermissionTree,
  PermissionTuple,
  PermissionTuplePage,
  SubjectSet,
} from '../../permissions/permission-tuple.js';
import { callOry } from '../ory-call.js';
import type { KetoClients } from '../ory-clients.js';
import type { KetoPermissionChecker } from './keto-permission-checker.js';
import { fromExpandedTree, fromRelationship, subjectQuery, toRelationship } from './keto-tuples.js';

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

/** One tenant's Keto, as `PermissionService.forTenant(tenant)` returns it. */
export class TenantPermissions {
  constructor(
    private readonly tenant: string,
    private readonly keto: KetoClients,
    private readonly checker: KetoPermissionChecker,
  ) {}

  /** Whether the tuple holds (directly or through subject sets). */
  check(tuple: PermissionTuple): Promise<boolean> {
    return this.checker.checkOne(this.keto, tuple);
  }

  /** Several checks in as few Keto calls as possible; answers in input order. */
  checkMany(tuples: readonly PermissionTuple[]): Promise<readonly boolean[]> {
    return this.checker.checkMany(this.tenant, tuples);
  }

  /** Writes the tuple; granting one that exists changes nothing. */
  async grant(tuple: PermissionTuple): Promise<void> {
    const write = this.writeApi();
    await callOry(
      'Keto grant',
      this.keto.policy,
      (options) =>
        write.createRelationship({ createRelationshipBody: toRelationship(tuple) }, options),
      { idempotent: false },
    );
  }

  /** Deletes the tuple; revoking one that does not exist is not an error. */
  async revoke(tuple: PermissionTuple): Promise<void> {
    const write = this.writeApi();
    await callOry(
      'Keto revoke',
      this.keto.policy,
      (options) =>
        write.deleteRelationships(
          {
            namespace: tuple.namespace,
            object: tuple.object,
            relation: tuple.relation,
            ...subjectQuery(tuple.subject),
          },
          options,
        ),
      { idempotent: false },
    );
  }

  /** Tuples matching the filter, one page at a time. */
  async list(
    filter: PermissionTupleFilter = {},
    paging: PermissionPaging = {},
  ): Promise<PermissionTuplePage> {
    const { data } = await callOry(
      'Keto list',
      this.keto.policy,
      (options) =>
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
      { idempotent: true },
    );
    const tuples = (data.relation_tuples ?? [])
      .map(fromRelationship)
      .filter((tuple): tuple is PermissionTuple => tuple !== undefined);
    const next = data.next_page_token;
    return { tuples, nextPageToken: next === undefined || next === '' ? undefined : next };
  }

  /** The tree of subjects that have `relation` on `namespace:object`. */
  async expand(subjectSet: SubjectSet, maxDepth?: number): Promise<PermissionTree> {
    const { data } = await callOry(
      'Keto expand',
      this.keto.policy,
      (options) => this.keto.read.expandPermissions({ ...subjectSet, maxDepth }, options),
      { idempotent: true },
    );
    return fromExpandedTree(data);
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
