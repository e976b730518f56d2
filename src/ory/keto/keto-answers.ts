import type { PermissionTuple, PermissionTuplePage } from '../../permissions/permission-tuple.js';
import { KetoMalformedAnswerError } from './keto-errors.js';

/** One entry of a batch check answer: Keto's answer, or the error it reported for the tuple. */
export type KetoBatchResult =
  | { readonly allowed: boolean; readonly error?: undefined }
  | { readonly error: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `allowed` of a single check answer (`200 {"allowed": bool}`). Anything else, `{}` included,
 * throws {@link KetoMalformedAnswerError}: reading it as a deny would report an outage as a
 * decision, and the decision cache would keep it.
 */
export function checkAnswer(operation: string, body: unknown): boolean {
  if (!isRecord(body)) throw new KetoMalformedAnswerError(operation, 'the body is not an object');
  if (typeof body.allowed !== 'boolean') {
    throw new KetoMalformedAnswerError(operation, '"allowed" is not a boolean');
  }
  return body.allowed;
}

/**
 * The entries of a batch check answer for `count` tuples (`200 {"results": [{allowed, error?}]}`,
 * in the order asked). Throws {@link KetoMalformedAnswerError} unless `results` is an array of
 * exactly `count` objects, each with a non-empty string `error` or a boolean `allowed`.
 */
export function batchAnswers(
  operation: string,
  body: unknown,
  count: number,
): readonly KetoBatchResult[] {
  if (!isRecord(body)) throw new KetoMalformedAnswerError(operation, 'the body is not an object');
  const { results } = body;
  if (!Array.isArray(results)) {
    throw new KetoMalformedAnswerError(operation, '"results" is not an array');
  }
  if (results.length !== count) {
    throw new KetoMalformedAnswerError(operation, `${results.length} results for ${count} checks`);
  }
  return results.map((result: unknown, index) => {
    if (!isRecord(result)) {
      throw new KetoMalformedAnswerError(operation, `result ${index} is not an object`);
    }
    const { allowed, error } = result;
    if (typeof error === 'string' && error !== '') return { error };
    if (error !== undefined && error !== null && error !== '') {
      throw new KetoMalformedAnswerError(operation, `result ${index} has a non-string "error"`);
    }
    if (typeof allowed !== 'boolean') {
      throw new KetoMalformedAnswerError(operation, `result ${index} has no boolean "allowed"`);
    }
    return { allowed };
  });
}

function subjectOf(relationship: Record<string, unknown>): PermissionTuple['subject'] | undefined {
  const { subject_id: subjectId, subject_set: subjectSet } = relationship;
  if (typeof subjectId === 'string') return subjectId;
  if (!isRecord(subjectSet)) return undefined;
  const { namespace, object, relation } = subjectSet;
  return typeof namespace === 'string' && typeof object === 'string' && typeof relation === 'string'
    ? { namespace, object, relation }
    : undefined;
}

/**
 * The tuples and next page token of a list answer (`200 {"relation_tuples": [...],
 * "next_page_token": "..."}`). Throws {@link KetoMalformedAnswerError} for anything else, a tuple
 * without its parts included: a page quietly missing tuples is a wrong answer, not an empty one.
 */
export function relationshipPage(operation: string, body: unknown): PermissionTuplePage {
  if (!isRecord(body)) throw new KetoMalformedAnswerError(operation, 'the body is not an object');
  // Keto's Go handler may encode an empty page's tuples as null; never leaves the field out.
  const { relation_tuples: listed, next_page_token: next } = body;
  if (!Array.isArray(listed) && listed !== null) {
    throw new KetoMalformedAnswerError(operation, '"relation_tuples" is not an array');
  }
  if (typeof next !== 'string') {
    throw new KetoMalformedAnswerError(operation, '"next_page_token" is not a string');
  }
  const tuples = (listed ?? []).map((relationship: unknown, index): PermissionTuple => {
    const { namespace, object, relation } = isRecord(relationship) ? relationship : {};
    const subject = isRecord(relationship) ? subjectOf(relationship) : undefined;
    if (
      typeof namespace !== 'string' ||
      typeof object !== 'string' ||
      typeof relation !== 'string' ||
      subject === undefined
    ) {
      throw new KetoMalformedAnswerError(operation, `tuple ${index} is incomplete`);
    }
    return { namespace, object, relation, subject };
  });
  return { tuples, nextPageToken: next === '' ? undefined : next };
}
