import { randomUUID } from 'node:crypto';
import { HttpException } from '@nestjs/common';
import type { CreateIdentityBody } from '@ory/client';
import { IamUpstreamUnavailableError } from '../../errors/iam-errors.js';
import { OryResponseError } from '../ory-call.js';
import { adminCallFailure } from './admin-errors.js';
import { kratosReasonOf } from './identity-errors.js';
import { type ImportItem, importChunks } from './identity-import-chunks.js';
import { createBodyOf } from './identity-mapping.js';
import type {
  IamIdentityCreate,
  IamImportFailureCode,
  IamImportItemResult,
  IamImportResult,
} from './identity-types.js';
import { isJsonObject, optionalString } from './json-values.js';

/** The Kratos calls an import makes; all throw what `callOry` throws. */
export interface ImportCalls {
  /** `PATCH /admin/identities` with `{ identities: [{ create, patch_id }] }`; resolves its body. */
  batch(items: readonly ImportItem[]): Promise<unknown>;
  /** `POST /admin/identities`; resolves the created identity's body. */
  createOne(body: CreateIdentityBody): Promise<unknown>;
  /** Which of these ids exist (`GET /admin/identities?ids=...`, at most 500). */
  existing(ids: readonly string[]): Promise<ReadonlySet<string>>;
}

const failed = (
  index: number,
  code: IamImportFailureCode,
  reason: string,
): IamImportItemResult => ({
  index,
  status: 'failed',
  code,
  reason,
});

function failureCodeOf(status: unknown): IamImportFailureCode {
  return status === 409 ? 'identity.conflict' : 'identity.invalid';
}

const UNKNOWN_REASON =
  'Kratos did not answer the call carrying this identity; it may have been created. Look it up by its identifier before importing it again.';

/** Why the import stopped sending, once it did. */
type Stop = { readonly reason: string } | undefined;

/**
 * The outcome of an item whose call failed without a per-item answer, and whether to stop: a 4xx
 * other than 401/403 is about the item; an outage leaves it unknown; a refusal means not created.
 * Anything else (a bug, a configuration error) is thrown.
 */
function callFailure(index: number, error: unknown): { result: IamImportItemResult; stop: Stop } {
  if (error instanceof OryResponseError && error.status !== 401 && error.status !== 403) {
    const reason = kratosReasonOf(error.body) ?? 'Kratos rejected the identity.';
    return { result: failed(index, failureCodeOf(error.status), reason), stop: undefined };
  }
  if (error instanceof IamUpstreamUnavailableError) {
    return {
      result: failed(index, 'identity.import_unknown', UNKNOWN_REASON),
      stop: { reason: 'Not sent: Kratos was unavailable.' },
    };
  }
  if (error instanceof OryResponseError) {
    adminCallFailure('IdentityService.import()', error, 'identity'); // logs the refusal
    const reason = 'Not sent: the Kratos admin API refused the library (see the log).';
    return { result: failed(index, 'identity.not_imported', reason), stop: { reason } };
  }
  throw error;
}

/** Outcomes of one batch answer, matched by patch id (falling back to position). */
function outcomesOfBatch(chunk: readonly ImportItem[], body: unknown): IamImportItemResult[] {
  const answers = isJsonObject(body) && Array.isArray(body.identities) ? body.identities : [];
  const byPatchId = new Map<string, unknown>();
  for (const answer of answers) {
    const patchId = isJsonObject(answer) ? optionalString(answer.patch_id) : undefined;
    if (patchId !== undefined) byPatchId.set(patchId, answer);
  }
  return chunk.map((item, position) => {
    const answer = byPatchId.get(item.patchId) ?? answers[position];
    if (!isJsonObject(answer)) {
      return failed(item.index, 'identity.import_unknown', 'Kratos did not report on this item.');
    }
    const id = optionalString(answer.identity);
    if (answer.action === 'create' && id !== undefined) {
      return { index: item.index, status: 'created', id };
    }
    const error = isJsonObject(answer.error) ? answer.error : {};
    return failed(
      item.index,
      failureCodeOf(error.code),
      kratosReasonOf(error) ?? 'Kratos rejected the identity.',
    );
  });
}

/**
 * Creates every item, chunk by chunk, and reports each one's outcome. A chunk Kratos rejects as a
 * whole (a 4xx: one item it cannot even read, or every item failing) created nothing, so its
 * items are sent again one by one for individual outcomes. When Kratos becomes unavailable or
 * refuses the library, the items of the call in flight are `identity.import_unknown` and the rest
 * `identity.not_imported`: nothing is retried, since a create is not idempotent.
 */
export async function runImport(
  inputs: readonly IamIdentityCreate[],
  chunkSize: number,
  calls: ImportCalls,
): Promise<IamImportResult> {
  const results: IamImportItemResult[] = new Array(inputs.length);
  const items: ImportItem[] = [];
  inputs.forEach((input, index) => {
    try {
      items.push({ index, body: createBodyOf(input), patchId: randomUUID() });
    } catch (error) {
      results[index] = failed(index, 'identity.invalid', messageOf(error));
    }
  });

  let stop: Stop;
  for (const chunk of importChunks(items, chunkSize)) {
    if (stop !== undefined) {
      for (const item of chunk) results[item.index] = notImported(item, stop);
    } else {
      stop = await sendChunk(chunk, calls, results);
    }
  }
  const created = results.filter((result) => result.status === 'created').length;
  return { created, failed: results.length - created, items: results };
}

/**
 * Sends one chunk and records its items' outcomes. Kratos v1.3.1 runs a chunk in one database
 * transaction and rolls it back when any item conflicts (an existing or repeated identifier),
 * while still answering `create` with an id for the other items. So after any conflict the
 * library checks which reported ids exist, and sends the missing items again (without the
 * conflicting ones, so this ends).
 */
async function sendChunk(
  chunk: readonly ImportItem[],
  calls: ImportCalls,
  results: IamImportItemResult[],
): Promise<Stop> {
  let answer: unknown;
  try {
    answer = await calls.batch(chunk);
  } catch (error) {
    const { result, stop } = callFailure(-1, error);
    // A 4xx for the whole chunk: nothing of it was created; ask item by item.
    if (stop === undefined) return createOneByOne(chunk, calls, results);
    for (const item of chunk) results[item.index] = { ...result, index: item.index };
    return stop;
  }
  const outcomes = outcomesOfBatch(chunk, answer);
  for (const outcome of outcomes) results[outcome.index] = outcome;
  const reported = outcomes.filter((outcome) => outcome.status === 'created');
  const conflicted = outcomes.some(
    (outcome) => outcome.status === 'failed' && outcome.code === 'identity.conflict',
  );
  if (!conflicted || reported.length === 0) return undefined;

  let existing: ReadonlySet<string>;
  try {
    existing = await calls.existing(reported.map((outcome) => outcome.id));
  } catch (error) {
    const { stop } = callFailure(-1, error);
    for (const outcome of reported) {
      results[outcome.index] = failed(outcome.index, 'identity.import_unknown', UNKNOWN_REASON);
    }
    return stop ?? { reason: 'Not sent: Kratos could not confirm the previous chunk.' };
  }
  const missing = new Set(
    reported.filter((outcome) => !existing.has(outcome.id)).map((outcome) => outcome.index),
  );
  if (missing.size === 0) return undefined;
  return sendChunk(
    chunk.filter((item) => missing.has(item.index)),
    calls,
    results,
  );
}

function messageOf(error: unknown): string {
  const response = error instanceof HttpException ? error.getResponse() : undefined;
  if (isJsonObject(response) && typeof response.message === 'string') return response.message;
  return error instanceof Error ? error.message : String(error);
}

function notImported(item: ImportItem, stop: NonNullable<Stop>): IamImportItemResult {
  return failed(item.index, 'identity.not_imported', stop.reason);
}

async function createOneByOne(
  chunk: readonly ImportItem[],
  calls: ImportCalls,
  results: IamImportItemResult[],
): Promise<Stop> {
  let stop: Stop;
  for (const item of chunk) {
    if (stop !== undefined) {
      results[item.index] = notImported(item, stop);
      continue;
    }
    try {
      const body = await calls.createOne(item.body);
      const id = isJsonObject(body) ? optionalString(body.id) : undefined;
      results[item.index] =
        id === undefined
          ? failed(item.index, 'identity.import_unknown', 'Kratos answered without an id.')
          : { index: item.index, status: 'created', id };
    } catch (error) {
      const outcome = callFailure(item.index, error);
      results[item.index] = outcome.result;
      stop = outcome.stop;
    }
  }
  return stop;
}
