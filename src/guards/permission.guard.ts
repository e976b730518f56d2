import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { IamForbiddenError, IamUnauthorizedError } from '../errors/iam-errors.js';
import { PERMISSION_CHECKER, type PermissionChecker } from '../permissions/permission-checker.js';
import { describeTuple } from '../permissions/permission-tuple.js';
import { type ContextRequest, requestFromContext } from '../request/execution-context.js';
import { requestDeadlineOf } from '../request/request-deadline.js';
import { getAuthState } from '../request/request-state.js';
import { TenantRegistry } from '../runtime/tenant-registry.js';
import { ATTR_CHECKS } from '../telemetry/telemetry-names.js';
import {
  answerFor,
  type DecisionContext,
  recordDecision,
  rejectDecision,
} from './decision-audit.js';
import { resolveRules, viewOf } from './permission-rules.js';
import { type RouteRequirements, routeRequirementsOf } from './route-requirements.js';

/**
 * Enforces `@RequirePermission` with Keto after authentication: every rule of the handler and its
 * class must hold, all checks of the request go in one batch, and each check is audited. The
 * subject is always derived from the verified identity, never from anything the client sent.
 */
@Injectable()
export class PermissionGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(TenantRegistry) private readonly registry: TenantRegistry,
    @Inject(PERMISSION_CHECKER) private readonly checker: PermissionChecker,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const requirements = routeRequirementsOf(this.reflector, context);
    if (requirements.permissions.length === 0) return true;
    return this.activate(requirements, requestFromContext(context));
  }

  /**
   * `canActivate` with what IamGlobalGuard read once for every guard; no promise for a route
   * without permission rules. @internal
   */
  activate(
    { permissions: rules }: RouteRequirements,
    found: ContextRequest | undefined,
  ): true | Promise<boolean> {
    if (rules.length === 0) return true;
    return this.check(rules, found);
  }

  private async check(
    rules: RouteRequirements['permissions'],
    found: ContextRequest | undefined,
  ): Promise<boolean> {
    const { registry } = this;
    const state = found === undefined ? undefined : getAuthState(found.stateHolder);
    const identity = state?.identity;
    if (found === undefined || state === undefined || identity === undefined) {
      const code =
        found === undefined
          ? 'auth.failure.unsupported_context'
          : 'auth.failure.missing_credentials';
      throw rejectDecision(registry, new IamUnauthorizedError(code), {
        found,
        tenant: state?.tenant,
      });
    }
    const decision = { found, tenant: state.tenant, subject: identity.id };
    return registry.telemetry.authorizePermission(state.tenant, async (span) => {
      span.subject(identity.id);
      let groups: ReturnType<typeof resolveRules>;
      let answers: readonly boolean[];
      try {
        groups = resolveRules(rules, viewOf(found, identity));
        span.set({ [ATTR_CHECKS]: groups.flat().length });
        const { http } = registry.runtime(state.tenant).config;
        const deadline = requestDeadlineOf(found, http.deadlineMs);
        answers = await this.checker.checkMany(state.tenant, groups.flat(), deadline);
      } catch (error) {
        throw rejectDecision(registry, error, decision);
      }
      return this.decide(groups, answers, decision, found);
    });
  }

  /** Records every check; allowed when each group has one allowed check. */
  private decide(
    groups: ReturnType<typeof resolveRules>,
    answers: readonly boolean[],
    decision: DecisionContext,
    found: ContextRequest,
  ): true {
    let index = 0;
    let allowed = true;
    for (const group of groups) {
      let groupAllowed = false;
      for (const tuple of group) {
        const answer = answers[index] === true;
        index += 1;
        groupAllowed ||= answer;
        recordDecision(
          this.registry,
          answer ? 'authz.permission.allow' : 'authz.permission.deny',
          decision,
          { check: describeTuple(tuple) },
          answer ? undefined : 'authz.permission.deny',
        );
      }
      allowed &&= groupAllowed;
    }
    // Each denied check was recorded above; the rejection itself adds no second event.
    if (!allowed) {
      throw answerFor(this.registry, new IamForbiddenError('authz.permission.deny'), found);
    }
    return true;
  }
}
