import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { IamForbiddenError, IamHttpError, IamUnauthorizedError } from '../errors/iam-errors.js';
import type { IamIdentity } from '../identity/iam-identity.js';
import { type ContextRequest, requestFromContext } from '../request/execution-context.js';
import { keepRequestDeadline, pendingRequestDeadline } from '../request/request-deadline.js';
import {
  authenticationOf,
  getAuthState,
  type RequestAuthState,
  setAuthState,
} from '../request/request-state.js';
import { closeWsConnection, wsRejectionOf } from '../request/ws-rejection.js';
import { TenantRegistry } from '../runtime/tenant-registry.js';
import type { DecisionSpan } from '../telemetry/decision-span.js';
import { connectionExpiry } from './connection-expiry.js';
import { recordDecision, rejectDecision } from './decision-audit.js';
import { type RouteRequirements, routeRequirementsOf } from './route-requirements.js';

/**
 * Proves who sent the request with the tenant's transport and attaches the identity to it.
 * Global by default (see the module's `global` option); also usable as `@UseGuards(SessionGuard)`.
 *
 * A request is authenticated once however many times the guard runs on it (a guard applied twice,
 * the resolvers of one GraphQL request), but each run checks the result against its own route: a
 * request without credentials passes an `@Anonymous()` route and is still a 401 on the next one.
 *
 * A WebSocket is authenticated once, from the request that opened it, by the first message that
 * needs it; every message after checks that the credential has not expired since. A connection
 * whose authentication fails or expires is closed: nothing it sends later could be handled.
 *
 * A service identity passes only routes with `@RequireScope` or `@RequireService` (403
 * `authz.caller_kind.deny` elsewhere); ServiceGuard checks those requirements.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(TenantRegistry) private readonly registry: TenantRegistry,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    return this.activate(routeRequirementsOf(this.reflector, context), requestFromContext(context));
  }

  /**
   * `canActivate` with the route's requirements and the request view already read: IamGlobalGuard
   * reads them once per request for all four guards. A promise only when the authentication
   * waits for something (a JWKS refetch, Redis, Kratos): throws what `canActivate` rejects with.
   * @internal
   */
  activate(
    requirements: RouteRequirements,
    found: ContextRequest | undefined,
  ): boolean | Promise<boolean> {
    if (requirements.mode === 'public' && !requirements.needsIdentity) return true;
    if (found === undefined) {
      throw rejectDecision(
        this.registry,
        new IamUnauthorizedError('auth.failure.unsupported_context'),
        { found },
      );
    }
    if (found.ws === undefined) return this.check(found, requirements);
    return this.checkMessage(found, found.ws, requirements);
  }

  /** A gateway message: a failed authentication closes its connection. */
  private async checkMessage(
    found: ContextRequest,
    ws: NonNullable<ContextRequest['ws']>,
    requirements: RouteRequirements,
  ): Promise<boolean> {
    try {
      return await this.check(found, requirements);
    } catch (error) {
      if (error instanceof IamHttpError) closeWsConnection(ws.socket, wsRejectionOf(error));
      throw error;
    }
  }

  private check(
    found: ContextRequest,
    requirements: RouteRequirements,
  ): boolean | Promise<boolean> {
    const holder = found.stateHolder;
    const state = getAuthState(holder) ?? authenticationOf(holder, () => this.authenticate(found));
    return state instanceof Promise
      ? state.then((done) => this.decide(found, requirements, done))
      : this.decide(found, requirements, state);
  }

  private decide(
    found: ContextRequest,
    { mode, needsIdentity, scopes, services }: RouteRequirements,
    state: RequestAuthState,
  ): true {
    const { identity, tenant } = state;
    if (identity !== undefined) {
      const expired = found.ws === undefined ? undefined : connectionExpiry(identity, Date.now());
      if (expired !== undefined) {
        throw rejectDecision(this.registry, new IamUnauthorizedError(expired), {
          found,
          tenant,
          subject: identity.id,
        });
      }
      // Also here, not only in ServiceGuard: a route guarded by SessionGuard alone (global: false)
      // must not open to machine tokens either.
      if (identity.kind === 'service' && scopes.length === 0 && services.length === 0) {
        throw rejectDecision(this.registry, new IamForbiddenError('authz.caller_kind.deny'), {
          found,
          tenant,
          subject: identity.id,
        });
      }
      return true;
    }
    if (mode === 'anonymous' && !needsIdentity) {
      recordDecision(this.registry, 'auth.anonymous', { found, tenant });
      return true;
    }
    throw rejectDecision(
      this.registry,
      new IamUnauthorizedError('auth.failure.missing_credentials'),
      { found, tenant },
    );
  }

  private authenticate(found: ContextRequest): RequestAuthState | Promise<RequestAuthState> {
    const { registry } = this;
    const tenant = registry.resolveTenant(found.request);
    if (tenant === undefined) {
      throw rejectDecision(registry, new IamUnauthorizedError('auth.tenant_unknown'), { found });
    }
    const { config, transport } = registry.runtime(tenant);
    return registry.telemetry.authenticate(tenant, (span) => {
      let identity: IamIdentity | undefined | Promise<IamIdentity | undefined>;
      try {
        const deadline = pendingRequestDeadline(found, config.http.deadlineMs);
        identity =
          transport.authenticateNow === undefined
            ? transport.authenticate(found.request, deadline)
            : transport.authenticateNow(found.request, deadline);
        // It waits: the guards after it (Keto) draw from what this wait leaves.
        if (identity instanceof Promise) keepRequestDeadline(found, deadline);
      } catch (error) {
        throw rejectDecision(registry, error, { found, tenant });
      }
      return identity instanceof Promise
        ? identity.then(
            (proven) => this.authenticated(span, found, tenant, proven),
            (error: unknown) => {
              throw rejectDecision(registry, error, { found, tenant });
            },
          )
        : this.authenticated(span, found, tenant, identity);
    });
  }

  private authenticated(
    span: DecisionSpan,
    found: ContextRequest,
    tenant: string,
    identity: IamIdentity | undefined,
  ): RequestAuthState {
    const state: RequestAuthState = { tenant, identity };
    setAuthState(found.stateHolder, state);
    if (identity === undefined) {
      span.outcome('none');
    } else {
      span.subject(identity.id);
      recordDecision(this.registry, 'auth.success', { found, tenant, subject: identity.id });
    }
    return state;
  }
}
