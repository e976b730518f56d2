import type { IdentityApi } from '@ory/client';
import { IamConfigurationError } from '../../errors/iam-errors.js';
import { callOry, type OryRequestOptions, type OryResponse } from '../ory-call.js';
import type { KratosClients } from '../ory-clients.js';

/**
 * A tenant's Kratos admin API as one service (`SessionService`, `IdentityService`) calls it: the
 * admin client is required only when a method needs it (a missing `kratos.adminUrl` names that
 * method), and each call goes through `callOry` (timeout, retries of idempotent reads, outages as
 * 503) with the service's own meaning of a failed answer.
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

  /** One admin call; a failure is rethrown as what `failure` maps it to. */
  async call<T>(
    operation: string,
    idempotent: boolean,
    call: (admin: IdentityApi, options: OryRequestOptions) => Promise<OryResponse<T>>,
    failure: (error: unknown, method: string) => unknown,
  ): Promise<OryResponse<T>> {
    const admin = this.client(operation);
    try {
      return await callOry(
        `Kratos admin ${operation}`,
        this.clients.policy,
        (options) => call(admin, options),
        { idempotent },
      );
    } catch (error) {
      throw failure(error, `${this.service}.${operation}()`);
    }
  }
}
