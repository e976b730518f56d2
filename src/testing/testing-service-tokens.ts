import { IamUpstreamUnavailableError } from '../errors/iam-errors.js';
import type { IamCallOptions } from '../ory/call-options.js';
import type { IssuedToken, TokenGrantRequest } from '../ory/hydra/hydra-token-endpoint.js';
import type { ServiceTokenRequest, TenantServiceTokens } from '../service-tokens/service-token.js';
import { CachedTenantServiceTokens } from '../service-tokens/tenant-service-tokens.js';
import { ServiceTokenCache } from '../service-tokens/token-cache.js';
import type { ServiceTokens } from '../services/service-tokens.service.js';

/** A failure the stand-in answers every token request with, as Hydra down or refusing would. */
export type TestingServiceTokenFailure = 'service_token.unavailable' | 'service_token.rejected';

const LIFETIME_MS = 3_600_000;
const DEADLINE_MS = 1_000;

/**
 * The testing `ServiceTokens`: the real cache and caller side over an issuer that needs no Hydra.
 * Each token is `testing:<audiences>:<scopes>` (comma-separated), granted as asked, valid for an
 * hour. Every request that reaches the issuer is recorded in `requested`, so a test sees what was
 * asked for and that the cache served the rest.
 */
export class TestingServiceTokens implements Pick<ServiceTokens, 'forTenant'> {
  readonly requested: ServiceTokenRequest[] = [];
  failure: TestingServiceTokenFailure | undefined;
  private readonly cache = new ServiceTokenCache(
    { issue: (request) => this.issue(request) },
    { expiryMarginMs: 30_000, refreshAheadMs: 0, fetchBudgetMs: DEADLINE_MS },
    () => undefined,
  );
  private readonly shared = new CachedTenantServiceTokens(this.cache, DEADLINE_MS, undefined);

  constructor(private readonly checkTenant: (tenant: string) => void) {}

  forTenant(tenant: string, options?: IamCallOptions): TenantServiceTokens {
    this.checkTenant(tenant);
    if (options === undefined) return this.shared;
    return new CachedTenantServiceTokens(
      this.cache,
      options.deadlineMs ?? DEADLINE_MS,
      options.signal,
    );
  }

  /** Forgets the cached tokens, what was requested and the failure. */
  clear(): void {
    this.cache.invalidate();
    this.requested.length = 0;
    this.failure = undefined;
  }

  private async issue(request: TokenGrantRequest): Promise<IssuedToken> {
    this.requested.push({ audience: request.audience, scope: request.scope });
    if (this.failure !== undefined) {
      throw new IamUpstreamUnavailableError(undefined, 5, {
        code: this.failure,
        reason: 'IamTestingState.failServiceTokensWith',
      });
    }
    return {
      accessToken: `testing:${request.audience.join(',')}:${request.scope.join(',')}`,
      expiresInMs: LIFETIME_MS,
      scope: request.scope,
    };
  }
}
