import type { ExpandedPermissionTree, Relationship } from '@ory/client';
import type {
  PermissionSubject,
  PermissionTree,
  PermissionTuple,
} from '../../permissions/permission-tuple.js';

/** The subject half of Keto's query parameters. */
export interface KetoSubjectQuery {
  subjectId?: string;
  subjectSetNamespace?: string;
  subjectSetObject?: string;
  subjectSetRelation?: string;
}

export function subjectQuery(subject: PermissionSubject): KetoSubjectQuery {
  return typeof subject === 'string'
    ? { subjectId: subject }
    : {
        subjectSetNamespace: subject.namespace,
        subjectSetObject: subject.object,
        subjectSetRelation: subject.relation,
      };
}

export function toRelationship(tuple: PermissionTuple): Relationship {
  const base = { namespace: tuple.namespace, object: tuple.object, relation: tuple.relation };
  return typeof tuple.subject === 'string'
    ? { ...base, subject_id: tuple.subject }
    : { ...base, subject_set: { ...tuple.subject } };
}

export function fromRelationship(relationship: Relationship): PermissionTuple | undefined {
  const {
    namespace,
    object,
    relation,
    subject_id: subjectId,
    subject_set: subjectSet,
  } = relationship;
  if (subjectId !== undefined) return { namespace, object, relation, subject: subjectId };
  if (subjectSet !== undefined) {
    return {
      namespace,
      object,
      relation,
      subject: {
        namespace: subjectSet.namespace,
        object: subjectSet.object,
        relation: subjectSet.relation,
      },
    };
  }
  return undefined;
}

const TREE_TYPES = new Set<string>([
  'union',
  'exclusion',
  'intersection',
  'leaf',
  'tuple_to_subject_set',
  'computed_subject_set',
  'not',
]);

export function fromExpandedTree(tree: ExpandedPermissionTree): PermissionTree {
  const tuple = tree.tuple === undefined ? undefined : fromRelationship(tree.tuple);
  return {
    type: TREE_TYPES.has(tree.type) ? (tree.type as PermissionTree['type']) : 'unspecified',
    ...(tuple === undefined ? {} : { tuple }),
    children: (tree.children ?? []).map(fromExpandedTree),
  };
}
