import { Inject, Injectable, Logger } from '@nestjs/common';
import type { PermissionChecker } from '../../permissions/permission-checker.js';
import { describeTuple, type PermissionTuple } from '../../permissions/permission-tuple.js';
import { callOry, OryResponseError } from '../ory-call.js';
import { type KetoClients, OryClients } from '../ory-clients.js';
import { subjectQuery, toRelationship } from './keto-tuples.js';

/** Keto's default `limit.max_batch_check_size`. */
export const KETO_BATCH_LIMIT = 10;

/**
 * Checks permissions with Keto: every check of a request in one batch call
 * (`/relation-tuples/batch/check`, chunked to Keto's limit, chunks in parallel). A Keto without the
 * batch endpoint (404/405) is remembered per tenant and asked one check at a time. A tuple Keto
 * reports an error for counts as denied: a check that cannot be evaluated never allows.
 */
@Injectable()
export class KetoPermissionChecker implements PermissionChecker {
  private readonly logger = new Logger('IamKeto');
  private readonly withoutBatch = new Set<string>();

  constructor(@Inject(OryClients) private readonly clients: OryClients) {}

  async checkMany(tenant: string, tuples: readonly PermissionTuple[]): Promise<readonly boolean[]> {
    const keto = this.clients.keto(tenant);
    if (tuples.length === 0) return [];
    if (!this.withoutBatch.has(tenant)) {
      const chunks: PermissionTuple[][] = [];
      for (let start = 0; start < tuples.length; start += KETO_BATCH_LIMIT) {
        chunks.push(tuples.slice(start, start + KETO_BATCH_LIMIT));
      }
      try {
        const answers = await Promise.all(chunks.map((chunk) => this.batch(keto, chunk)));
        return answers.flat();
      } catch (error) {
        if (
          !(error instanceof OryResponseError && (error.status === 404 || error.status === 405))
        ) {
          throw error;
        }
        this.withoutBatch.add(tenant);
        this.logger.warn(`Keto of tenant "${tenant}" has no batch check; checking one at a time.`);
      }
    }
    return Promise.all(tuples.map((tuple) => this.checkOne(keto, tuple)));
  }

  async checkOne(keto: KetoClients, tuple: PermissionTuple): Promise<boolean> {
    const { data } = await callOry(
      'Keto check',
      keto.policy,
      (options) =>
        keto.read.checkPermission(
          {
            namespace: tuple.namespace,
            object: tuple.object,
            relation: tuple.relation,
            ...subjectQuery(tuple.subject),
          },
          options,
        ),
      { idempotent: true },
    );
    return data.allowed === true;
  }

  private async batch(keto: KetoClients, tuples: readonly PermissionTuple[]): Promise<boolean[]> {
    const { data } = await callOry(
      'Keto batch check',
      keto.policy,
      (options) =>
        keto.read.batchCheckPermission(
          { batchCheckPermissionBody: { tuples: tuples.map(toRelationship) } },
          options,
        ),
      { idempotent: true },
    );
    const results = Array.isArray(data.results) ? data.results : [];
    return tuples.map((tuple, index) => {
      const result = results[index];
      if (result?.error !== undefined && result.error !== '') {
        this.logger.warn(`Keto could not evaluate ${describeTuple(tuple)}: ${result.error}`);
      }
      return result?.allowed === true && (result.error === undefined || result.error === '');
    });
  }
}
