import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { DEFAULT_KETO_MAX_BATCH_CHECK_SIZE } from '../../config/defaults.js';
import { type Deadline, deadlineForCall } from '../../deadline/deadline.js';
import type { PermissionChecker } from '../../permissions/permission-checker.js';
import { describeTuple, type PermissionTuple } from '../../permissions/permission-tuple.js';
import { IamTelemetry } from '../../telemetry/iam-telemetry.js';
import { callOry, OryResponseError } from '../ory-call.js';
import { type KetoClients, OryClients } from '../ory-clients.js';
import { DecisionCache, decisionKey } from './decision-cache.js';
import { batchAnswers, checkAnswer } from './keto-answers.js';
import { ketoCallFailure } from './keto-errors.js';
import { subjectQuery, toRelationship } from './keto-tuples.js';

/** One answer from Keto; `definite` is false when Keto reported an error for the tuple. */
interface KetoAnswer {
  readonly allowed: boolean;
  readonly definite: boolean;
}

/**
 * Checks permissions with Keto. All checks of one call go in one `/relation-tuples/batch/check`
 * request, split into chunks of `keto.maxBatchCheckSize` (default 10, Keto's limit) sent in
 * parallel; a single check uses the plain check endpoint. A Keto without the batch endpoint
 * (404/405) is remembered per tenant and asked one check at a time; a chunk Keto refuses as too
 * large (400) is asked one check at a time too. A tuple Keto reports an error for counts as denied:
 * a check that cannot be evaluated never allows. Outages and answers that are not the documented
 * shape reject with a 503 and are never cached.
 *
 * With `keto.decisionCache` enabled, answers are reused for its TTL and the tenant's cache is
 * cleared by {@link invalidate} (PermissionService calls it after every grant and revoke).
 */
@Injectable()
export class KetoPermissionChecker implements PermissionChecker {
  private readonly logger = new Logger('IamKeto');
  private readonly withoutBatch = new Set<string>();
  private readonly caches = new Map<string, DecisionCache | null>();

  constructor(
    @Inject(OryClients) private readonly clients: OryClients,
    /** Counts the decision cache's hits and misses; absent outside a module (unit tests). */
    @Optional() @Inject(IamTelemetry) private readonly telemetry?: IamTelemetry,
  ) {}

  async checkMany(
    tenant: string,
    tuples: readonly PermissionTuple[],
    deadline?: Deadline,
  ): Promise<readonly boolean[]> {
    const keto = this.clients.keto(tenant);
    if (tuples.length === 0) return [];
    const cache = this.cacheOf(tenant);
    const generation = cache?.generation ?? 0;
    // The same tuple twice (e.g. on the class and the handler) is asked once.
    const pending = new Map<string, PermissionTuple>();
    const known = new Map<string, boolean>();
    for (const tuple of tuples) {
      const key = decisionKey(tuple);
      const cached = cache?.get(tuple);
      if (cached === undefined) pending.set(key, tuple);
      else known.set(key, cached);
    }
    if (cache !== undefined) {
      this.telemetry?.decisionCacheLookups(tenant, known.size, pending.size);
    }
    if (pending.size > 0) {
      const asked = [...pending.values()];
      let answers: KetoAnswer[];
      // Without a request's deadline, the chunks of this call share one of their own.
      const budget = deadline ?? deadlineForCall(keto.policy.deadlineMs, keto.policy.signal);
      try {
        answers = await this.ask(tenant, keto, asked, budget);
      } catch (error) {
        throw ketoCallFailure('Keto check', error);
      } finally {
        if (budget !== deadline) budget.dispose();
      }
      asked.forEach((tuple, index) => {
        const answer = answers[index] ?? { allowed: false, definite: false };
        known.set(decisionKey(tuple), answer.allowed);
        if (answer.definite) cache?.set(tuple, answer.allowed, generation);
      });
    }
    return tuples.map((tuple) => known.get(decisionKey(tuple)) === true);
  }

  /** Forgets the tenant's cached answers (no-op without a decision cache). */
  invalidate(tenant: string): void {
    this.caches.get(tenant)?.clear();
  }

  private cacheOf(tenant: string): DecisionCache | undefined {
    let cache = this.caches.get(tenant);
    if (cache === undefined) {
      const config = this.clients.tenant(tenant).keto?.decisionCache;
      cache = config?.enabled === true ? new DecisionCache(config) : null;
      this.caches.set(tenant, cache);
    }
    return cache ?? undefined;
  }

  private async ask(
    tenant: string,
    keto: KetoClients,
    tuples: readonly PermissionTuple[],
    deadline: Deadline,
  ): Promise<KetoAnswer[]> {
    if (tuples.length === 1 || this.withoutBatch.has(tenant)) {
      return this.singles(keto, tuples, deadline);
    }
    const size =
      this.clients.tenant(tenant).keto?.maxBatchCheckSize ?? DEFAULT_KETO_MAX_BATCH_CHECK_SIZE;
    const chunks: PermissionTuple[][] = [];
    for (let start = 0; start < tuples.length; start += size) {
      chunks.push(tuples.slice(start, start + size));
    }
    try {
      const answers = await Promise.all(chunks.map((chunk) => this.chunk(keto, chunk, deadline)));
      return answers.flat();
    } catch (error) {
      if (!(error instanceof OryResponseError && (error.status === 404 || error.status === 405))) {
        throw error;
      }
      this.withoutBatch.add(tenant);
      this.logger.warn(`Keto of tenant "${tenant}" has no batch check; checking one at a time.`);
      return this.singles(keto, tuples, deadline);
    }
  }

  private singles(
    keto: KetoClients,
    tuples: readonly PermissionTuple[],
    deadline: Deadline,
  ): Promise<KetoAnswer[]> {
    return Promise.all(
      tuples.map(async (tuple) => ({
        allowed: await this.checkOne(keto, tuple, deadline),
        definite: true,
      })),
    );
  }

  /** One check on `/relation-tuples/check/openapi`, which answers 200 `{allowed}` either way. */
  private async checkOne(
    keto: KetoClients,
    tuple: PermissionTuple,
    deadline: Deadline,
  ): Promise<boolean> {
    // The answer is read within the attempt, so a malformed one counts towards the breaker.
    const { data } = await callOry(
      'Keto check',
      keto.policy,
      async (options) => {
        const query = {
          namespace: tuple.namespace,
          object: tuple.object,
          relation: tuple.relation,
          ...subjectQuery(tuple.subject),
        };
        const response = await keto.read.checkPermission(query, options);
        return { ...response, data: checkAnswer('Keto check', response.data) };
      },
      { idempotent: true, deadline, guard: keto.guards.read },
    );
    return data;
  }

  private async chunk(
    keto: KetoClients,
    tuples: readonly PermissionTuple[],
    deadline: Deadline,
  ): Promise<KetoAnswer[]> {
    try {
      return await this.batch(keto, tuples, deadline);
    } catch (error) {
      // Keto answers 400 "batch exceeds max size" when its limit is below maxBatchCheckSize.
      if (!(error instanceof OryResponseError && error.status === 400)) throw error;
      this.logger.warn(
        `Keto refused a batch of ${tuples.length} checks (400); checking them one at a time. ` +
          "Set keto.maxBatchCheckSize to Keto's limit.max_batch_check_size.",
      );
      return this.singles(keto, tuples, deadline);
    }
  }

  private async batch(
    keto: KetoClients,
    tuples: readonly PermissionTuple[],
    deadline: Deadline,
  ): Promise<KetoAnswer[]> {
    const { data: results } = await callOry(
      'Keto batch check',
      keto.policy,
      async (options) => {
        const body = { batchCheckPermissionBody: { tuples: tuples.map(toRelationship) } };
        const response = await keto.read.batchCheckPermission(body, options);
        return {
          ...response,
          data: batchAnswers('Keto batch check', response.data, tuples.length),
        };
      },
      { idempotent: true, deadline, guard: keto.guards.read },
    );
    return tuples.map((tuple, index) => {
      const result = results[index];
      if (result !== undefined && result.error === undefined) {
        return { allowed: result.allowed, definite: true };
      }
      this.logger.warn(`Keto could not evaluate ${describeTuple(tuple)}: ${result?.error}`);
      return { allowed: false, definite: false };
    });
  }
}
