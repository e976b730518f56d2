/** A Keto subject set: every subject with `relation` on `namespace:object` (e.g. a group's members). */
export interface SubjectSet {
  readonly namespace: string;
  readonly object: string;
  readonly relation: string;
}

/** A subject id (usually an identity id) or a subject set. */
export type PermissionSubject = string | SubjectSet;

/** One relation tuple: `subject` has `relation` on `namespace:object`. */
export interface PermissionTuple {
  readonly namespace: string;
  readonly object: string;
  readonly relation: string;
  readonly subject: PermissionSubject;
}

/** A node of an expanded permission tree (`PermissionService.expand`). */
export interface PermissionTree {
  readonly type:
    | 'union'
    | 'exclusion'
    | 'intersection'
    | 'leaf'
    | 'tuple_to_subject_set'
    | 'computed_subject_set'
    | 'not'
    | 'unspecified';
  readonly tuple?: PermissionTuple;
  readonly children: readonly PermissionTree[];
}

/** Relation tuples matching a filter, one page at a time. */
export interface PermissionTuplePage {
  readonly tuples: readonly PermissionTuple[];
  /** Pass it back as `pageToken` for the next page; undefined on the last page. */
  readonly nextPageToken: string | undefined;
}

export function describeTuple(tuple: PermissionTuple): string {
  const subject =
    typeof tuple.subject === 'string'
      ? tuple.subject
      : `${tuple.subject.namespace}:${tuple.subject.object}#${tuple.subject.relation}`;
  return `${tuple.namespace}:${tuple.object}#${tuple.relation}@${subject}`;
}
