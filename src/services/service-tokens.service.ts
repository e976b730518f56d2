import { Inject, Injectable } from '@nestjs/common';
import {
  IamConfigurationError,
  IamHttpError,
  IamUpstreamUnavailableError,
} from '../errors/iam-errors.js';
import { type IamCallOptions, policyWithCallOptions } from '../ory/call-options.js';
import { OryClients } from '../ory/ory-clients.js';
import { TenantRegistry } from '../runtime/tenant-registry.js';
import type { TenantServiceTokens } from '../service-tokens/service-token.js';
import { CachedTenantServiceTokens } from '../service-tokens/tenant-service-tokens.js';
import { ServiceTokenCache } from '../service-tokens/token-cache.js';
import type { NormalizedTokenRequest } from '../service-tokens/token-request.js';

/**
 * Outgoing machine identity: OAuth2 client-credentials access tokens from Ory Hydra for calls to
 * other services, as the tenant's `serviceTokens` client (docs/service-to-service.md).
 *
 * ```ts
 * const tokens = this.serviceTokens.forTenant('default');
 * const token = await tokens.token({ audience: 'inventory-api', scope: 'inventory:reserve' });
 * await fetch(url, { method: 'POST', headers: { Authorization: token.authorization } });
 * // or: const inventory = tokens.fetch({ audience: 'inventory-api', scope: 'inventory:reserve' });
 * //     await inventory(url, { method: 'POST' });
 * ```
 *
 * Each tenant has one cache, shared by every `forTenant` view: a token per (audience, scope) set,
 * handed out until shortly before it expires (`serviceTokens.expiryMarginMs`), renewed in the
 * background ahead of that (`refreshAheadMs`); concurrent callers share one request to Hydra.
 * Failures are 503 `IamUpstreamUnavailableError`s (see {@link TenantServiceTokens}) and are
 * audited once per failed request to Hydra. The client secret never reaches an error, a log
 * line, an audit event or a span.
 */
@Injectable()
export class ServiceTokens {
  private readonly caches = new Map<string, ServiceTokenCache>();
  private readonly tenants = new Map<string, TenantServiceTokens>();

  constructor(
    @Inject(OryClients) private readonly oryClients: OryClients,
    @Inject(TenantRegistry) private readonly registry: TenantRegistry,
  ) {}

  /**
   * The service tokens of one configured tenant. Throws `IamConfigurationError` for a tenant that
   * is not configured or has no `serviceTokens`. With `options`, a view whose waits for a token
   * honour the caller's `signal` and `deadlineMs` (default: the tenant's `http.deadlineMs`);
   * a caller giving up never cancels the request to Hydra that others wait for.
   */
  forTenant(tenant: string, options?: IamCallOptions): TenantServiceTokens {
    const cache = this.cacheOf(tenant);
    const { http } = this.oryClients.tenant(tenant);
    if (options !== undefined) {
      const { deadlineMs, signal } = policyWithCallOptions(http, options);
      return new CachedTenantServiceTokens(cache, deadlineMs, signal);
    }
    let tokens = this.tenants.get(tenant);
    if (tokens === undefined) {
      tokens = new CachedTenantServiceTokens(cache, http.deadlineMs, undefined);
      this.tenants.set(tenant, tokens);
    }
    return tokens;
  }

  private cacheOf(tenant: string): ServiceTokenCache {
    let cache = this.caches.get(tenant);
    if (cache === undefined) {
      const config = this.oryClients.tenant(tenant);
      const serviceTokens = config.serviceTokens;
      if (serviceTokens === undefined) {
        throw new IamConfigurationError([
          `tenants.${tenant}.serviceTokens: is required for service tokens`,
        ]);
      }
      cache = new ServiceTokenCache(
        this.oryClients.hydraToken(tenant, serviceTokens),
        {
          expiryMarginMs: serviceTokens.expiryMarginMs,
          refreshAheadMs: serviceTokens.refreshAheadMs,
          fetchBudgetMs: config.http.deadlineMs,
        },
        (error, request) => this.audit(tenant, serviceTokens.clientId, error, request),
      );
      this.caches.set(tenant, cache);
    }
    return cache;
  }

  private audit(
    tenant: string,
    clientId: string,
    error: unknown,
    request: NormalizedTokenRequest,
  ): void {
    const code = error instanceof IamHttpError ? error.code : 'service_token.unavailable';
    const reason = error instanceof IamUpstreamUnavailableError ? error.reason : undefined;
    this.registry.audit.emit({
      name: code,
      tenant,
      subject: clientId,
      code,
      detail: {
        reason,
        audience: request.audience.join(' '),
        scope: request.scope.join(' '),
      },
    });
  }
}
