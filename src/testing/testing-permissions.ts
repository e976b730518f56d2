import { IamPermissionRequestError } from '../ory/keto/keto-errors.js';
import type {
  PermissionPaging,
  PermissionTupleFilter,
  TenantPermissions,
} from '../ory/keto/tenant-permissions.js';
import {
  describeTuple,
  type PermissionSubject,
  type PermissionTree,
  type PermissionTuple,
  type PermissionTuplePage,
  type SubjectSet,
} from '../permissions/permission-tuple.js';
import { assertPermissionTuple, assertSubjectSet } from '../permissions/validate-tuple.js';
import type { IamTestingState } from './iam-testing-state.js';

const DEFAULT_PAGE_SIZE = 100;

function sameSubject(a: PermissionSubject, b: PermissionSubject): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return a.namespace === b.namespace && a.object === b.object && a.relation === b.relation;
}

function matches(tuple: PermissionTuple, filter: PermissionTupleFilter): boolean {
  return (
    (filter.namespace === undefined || tuple.namespace === filter.namespace) &&
    (filter.object === undefined || tuple.object === filter.object) &&
    (filter.relation === undefined || tuple.relation === filter.relation) &&
    (filter.subject === undefined || sameSubject(tuple.subject, filter.subject))
  );
}

/**
 * `PermissionService.forTenant(t)` of `IamTestingModule`. Checks get the same answers as
 * `@RequirePermission` (the `permissions` option, `setPermissions`, and every granted tuple) and
 * are recorded in `checkedPermissions`; grants and revokes change `grantedPermissions`, which
 * `list` and `expand` read. Incomplete tuples are the real service's `TypeError`.
 */
export class TestingTenantPermissions implements TenantPermissions {
  constructor(
    private readonly tenant: string,
    private readonly state: IamTestingState,
  ) {}

  async check(tuple: PermissionTuple): Promise<boolean> {
    const [allowed] = await this.checkMany([tuple]);
    return allowed === true;
  }

  async checkMany(tuples: readonly PermissionTuple[]): Promise<readonly boolean[]> {
    for (const tuple of tuples) assertPermissionTuple(tuple, 'PermissionService.checkMany');
    return this.state.checkMany(this.tenant, tuples);
  }

  async grant(tuple: PermissionTuple): Promise<void> {
    assertPermissionTuple(tuple, 'PermissionService.grant');
    const key = describeTuple(tuple);
    if (this.state.grantedPermissions.some((granted) => describeTuple(granted) === key)) return;
    this.state.grantedPermissions.push({ ...tuple });
  }

  async revoke(tuple: PermissionTuple): Promise<void> {
    assertPermissionTuple(tuple, 'PermissionService.revoke');
    const key = describeTuple(tuple);
    const granted = this.state.grantedPermissions;
    const index = granted.findIndex((candidate) => describeTuple(candidate) === key);
    if (index !== -1) granted.splice(index, 1);
  }

  async list(
    filter: PermissionTupleFilter = {},
    paging: PermissionPaging = {},
  ): Promise<PermissionTuplePage> {
    const start = paging.pageToken === undefined ? 0 : Number(paging.pageToken);
    if (!Number.isSafeInteger(start) || start < 0) {
      throw new IamPermissionRequestError('Keto list', 400, 'invalid page token');
    }
    const pageSize = paging.pageSize ?? DEFAULT_PAGE_SIZE;
    const all = this.state.grantedPermissions.filter((tuple) => matches(tuple, filter));
    const end = start + pageSize;
    return {
      tuples: all.slice(start, end),
      nextPageToken: all.length > end ? String(end) : undefined,
    };
  }

  async expand(subjectSet: SubjectSet): Promise<PermissionTree | undefined> {
    assertSubjectSet(subjectSet, 'PermissionService.expand');
    const leaves = this.state.grantedPermissions.filter((tuple) => matches(tuple, subjectSet));
    if (leaves.length === 0) return undefined;
    return {
      type: 'union',
      children: leaves.map((tuple) => ({ type: 'leaf', tuple, children: [] })),
    };
  }
}
