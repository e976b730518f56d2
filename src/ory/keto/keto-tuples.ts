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
    : {
        ...base,
        subject_set: {
          namespace: tuple.subject.namespace,
          object: tuple.subject.object,
          relation: tuple.subject.relation,
        },
      };
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

/**
 * Keto's expand tree in the library's shape. Keto v0.14 answers an expand that matches no tuple
 * with 200 and `{"code":404,"message":"no relation tuple found"}`: no `type`, so undefined.
 */
export function fromExpandedTree(tree: ExpandedPermissionTree): PermissionTree | undefined {
  if (typeof tree !== 'object' || tree === null || typeof tree.type !== 'string') return undefined;
  const tuple = tree.tuple === undefined ? undefined : fromRelationship(tree.tuple);
  return {
    type: TREE_TYPES.has(tree.type) ? (tree.type as PermissionTree['type']) : 'unspecified',
    ...(tuple === undefined ? {} : { tuple }),
    children: (tree.children ?? [])
      .map(fromExpandedTree)
      .filter((child): child is PermissionTree => child !== undefined),
  };
}
