import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { IamForbiddenError, IamUnauthorizedError } from '../errors/iam-errors.js';
import { type ContextRequest, requestFromContext } from '../request/execution-context.js';
import { requestDeadlineOf } from '../request/request-deadline.js';
import {
  authenticationOf,
  getAuthState,
  type RequestAuthState,
  setAuthState,
} from '../request/request-state.js';
import { TenantRegistry } from '../runtime/tenant-registry.js';
import { recordDecision, rejectDecision } from './decision-audit.js';
import { routeRequirementsOf } from './route-requirements.js';

/**
 * Proves who sent the request with the tenant's transport and attaches the identity to it.
 * Global by default (see the module's `global` option); also usable as `@UseGuards(SessionGuard)`.
 *
 * A request is authenticated once however many times the guard runs on it (a guard applied twice,
 * the resolvers of one GraphQL request), but each run checks the result against its own route: a
 * request without credentials passes an `@Anonymous()` route and is still a 401 on the next one.
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
    const { mode, needsIdentity, scopes, services } = routeRequirementsOf(this.reflector, context);
    if (mode === 'public' && !needsIdentity) return true;

    const found = requestFromContext(context);
    if (found === undefined) {
      throw rejectDecision(
        this.registry,
        new IamUnauthorizedError('auth.failure.unsupported_context'),
        { found },
      );
    }
    const raw = found.request.raw;
    const state =
      getAuthState(raw) ?? (await authenticationOf(raw, () => this.authenticate(found)));
    const decision = { found, tenant: state.tenant };
    if (state.identity !== undefined) {
      // Also here, not only in ServiceGuard: a route guarded by SessionGuard alone (global: false)
      // must not open to machine tokens either.
      if (state.identity.kind === 'service' && scopes.length === 0 && services.length === 0) {
        throw rejectDecision(this.registry, new IamForbiddenError('authz.caller_kind.deny'), {
          ...decision,
          subject: state.identity.id,
        });
      }
      return true;
    }
    if (mode === 'anonymous' && !needsIdentity) {
      recordDecision(this.registry.audit, 'auth.anonymous', decision);
      return true;
    }
    throw rejectDecision(
      this.registry,
      new IamUnauthorizedError('auth.failure.missing_credentials'),
      decision,
    );
  }

  private async authenticate(found: ContextRequest): Promise<RequestAuthState> {
    const { audit } = this.registry;
    const tenant = this.registry.resolveTenant(found.request);
    if (tenant === undefined) {
      throw rejectDecision(this.registry, new IamUnauthorizedError('auth.tenant_unknown'), {
        found,
      });
    }
    const { config, transport } = this.registry.runtime(tenant);
    let state: RequestAuthState;
    try {
      const deadline = requestDeadlineOf(found, config.http.deadlineMs);
      state = { tenant, identity: await transport.authenticate(found.request, deadline) };
    } catch (error) {
      throw rejectDecision(this.registry, error, { found, tenant });
    }
    setAuthState(found.request.raw, state);
    if (state.identity !== undefined) {
      recordDecision(audit, 'auth.success', { found, tenant, subject: state.identity.id });
    }
    return state;
  }
}
