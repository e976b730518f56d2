import type { PermissionSubject, PermissionTuple, SubjectSet } from './permission-tuple.js';

function isNonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

/** Whether a value is a subject id (non-empty string) or a subject set with all three parts. */
export function isPermissionSubject(value: unknown): value is PermissionSubject {
  if (typeof value === 'string') return value !== '';
  if (typeof value !== 'object' || value === null) return false;
  const set = value as Partial<Record<keyof SubjectSet, unknown>>;
  return isNonEmpty(set.namespace) && isNonEmpty(set.object) && isNonEmpty(set.relation);
}

/**
 * Throws a `TypeError` unless every part of the tuple is a non-empty string (a subject set in all
 * three parts). Keto treats a missing part of a delete as a wildcard, so a revoke of a tuple with an
 * `undefined` object (easy from JavaScript or an unchecked body) would delete every matching tuple:
 * writes, deletes and checks refuse such tuples before anything is sent.
 */
export function assertPermissionTuple(tuple: PermissionTuple, operation: string): void {
  const parts = tuple as Partial<Record<keyof PermissionTuple, unknown>> | null | undefined;
  const complete =
    typeof parts === 'object' &&
    parts !== null &&
    isNonEmpty(parts.namespace) &&
    isNonEmpty(parts.object) &&
    isNonEmpty(parts.relation) &&
    isPermissionSubject(parts.subject);
  if (!complete) {
    throw new TypeError(
      `${operation} needs a complete tuple: non-empty namespace, object, relation and subject ` +
        '(a subject id, or a subject set with namespace, object and relation).',
    );
  }
}

/** {@link assertPermissionTuple} for a subject set (`expand`). */
export function assertSubjectSet(set: SubjectSet, operation: string): void {
  if (typeof set !== 'object' || set === null || !isPermissionSubject(set)) {
    throw new TypeError(
      `${operation} needs a subject set with non-empty namespace, object and relation.`,
    );
  }
}
