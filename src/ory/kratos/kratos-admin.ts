import type { IdentityApi } from '@ory/client';
import { IamConfigurationError } from '../../errors/iam-errors.js';
import { callOry, type OryRequestOptions, type OryResponse } from '../ory-call.js';
import type { KratosClients } from '../ory-clients.js';
import { type KratosId, type KratosIdKind, kratosIdOf } from './kratos-ids.js';

/** The meaning of one admin call to its service: its name, whether it may be retried, its errors. */
export interface AdminOperation {
  readonly operation: string;
  readonly idempotent: boolean;
  readonly failure: (error: unknown, method: string) => unknown;
}

/**
 * A tenant's Kratos admin API as one service (`SessionService`, `IdentityService`) calls it: the
 * admin client is required only when a method needs it (a missing `kratos.adminUrl` names that
 * method), and each call goes through `callOry` (timeout, retries of idempotent reads, outages as
 * 503) with the service's own meaning of a failed answer. Calls about one identity or session go
 * through {@link callOn}, the one place where an id becomes part of an admin URL.
 */
export class KratosAdmin {
  constructor(
    private readonly tenant: string,
    private readonly clients: KratosClients,
    private readonly service: string,
  ) {}

  /** The admin client; `IamConfigurationError` when the tenant has no `kratos.adminUrl`. */
  client(operation: string): IdentityApi {
    const admin = this.clients.admin;
    if (admin === undefined) {
      throw new IamConfigurationError([
        `tenants.${this.tenant}.kratos.adminUrl: is required for ${this.service}.${operation}()`,
      ]);
    }
    return admin;
  }

  /**
   * One admin call about the identity or session `id`: a 400 `request.invalid_id` before anything
   * else unless `id` is a UUID, and the call receives only the checked id.
   */
  async callOn<T>(
    kind: KratosIdKind,
    id: unknown,
    spec: AdminOperation,
    call: (admin: IdentityApi, id: KratosId, options: OryRequestOptions) => Promise<OryResponse<T>>,
  ): Promise<OryResponse<T>> {
    const checked = kratosIdOf(kind, id);
    return this.call(spec, (admin, options) => call(admin, checked, options));
  }

  /** One admin call with no id in its path; a failure is rethrown as what `failure` maps it to. */
  async call<T>(
    { operation, idempotent, failure }: AdminOperation,
    call: (admin: IdentityApi, options: OryRequestOptions) => Promise<OryResponse<T>>,
  ): Promise<OryResponse<T>> {
    const admin = this.client(operation);
    try {
      return await callOry(
        `Kratos admin ${operation}`,
        this.clients.policy,
        (options) => call(admin, options),
        { idempotent, guard: this.clients.guards.admin },
      );
    } catch (error) {
      throw failure(error, `${this.service}.${operation}()`);
    }
  }
}
