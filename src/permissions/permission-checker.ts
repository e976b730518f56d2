import type { Deadline } from '../deadline/deadline.js';
import type { PermissionTuple } from './permission-tuple.js';

/**
 * Answers permission checks for a tenant, in input order. The Keto checker batches them; the testing
 * module answers from the test's table. A failure to answer rejects (the guard then answers 503).
 */
export interface PermissionChecker {
  /** Upstream work draws from `deadline` (the request's, in the guard) when one is given. */
  checkMany(
    tenant: string,
    tuples: readonly PermissionTuple[],
    deadline?: Deadline,
  ): Promise<readonly boolean[]>;
}

/**
 * DI token of the {@link PermissionChecker} the PermissionGuard uses (Keto in `IamModule`).
 * Exported by `nestjs-ory-iam/testing` so a test can keep real JWTs (`TestSigner`) and answer
 * `@RequirePermission` without Keto: `.overrideProvider(PERMISSION_CHECKER).useValue(checker)`.
 */
export const PERMISSION_CHECKER = Symbol.for('nestjs-ory-iam:PERMISSION_CHECKER');
