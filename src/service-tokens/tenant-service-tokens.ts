import { type Deadline, deadlineForCall } from '../deadline/deadline.js';
import { isDeadlineAbort } from '../deadline/deadline-failure.js';
import { IamUpstreamUnavailableError } from '../errors/iam-errors.js';
import type {
  ServiceToken,
  ServiceTokenFetch,
  ServiceTokenFetchOptions,
  ServiceTokenRequest,
  TenantServiceTokens,
} from './service-token.js';
import type { ServiceTokenCache } from './token-cache.js';
import { normalizeTokenRequest } from './token-request.js';

const DEFAULT_HEADER = 'Authorization';
/** What a caller whose own deadline ran out is told to wait: the shared request may land by then. */
const CALLER_DEADLINE_RETRY_AFTER_SECONDS = 1;

/** The caller's side of a tenant's {@link ServiceTokenCache}: its deadline and signal. */
export class CachedTenantServiceTokens implements TenantServiceTokens {
  constructor(
    private readonly cache: ServiceTokenCache,
    private readonly deadlineMs: number,
    private readonly signal: AbortSignal | undefined,
  ) {}

  token(request: ServiceTokenRequest): Promise<ServiceToken> {
    return this.tokenWithin(request, this.signal);
  }

  fetch({ header = DEFAULT_HEADER, ...request }: ServiceTokenFetchOptions): ServiceTokenFetch {
    // Checked now: a bad request is a bug at the place the fetch is built, not at each call.
    normalizeTokenRequest(request);
    return async (input, init) => {
      const token = await this.tokenWithin(request, init?.signal ?? this.signal ?? undefined);
      const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : {}));
      headers.set(header, token.authorization);
      return fetch(input, { ...init, headers });
    };
  }

  invalidate(request?: ServiceTokenRequest): void {
    this.cache.invalidate(request === undefined ? undefined : normalizeTokenRequest(request).key);
  }

  private async tokenWithin(
    request: ServiceTokenRequest,
    signal: AbortSignal | undefined,
  ): Promise<ServiceToken> {
    const normalized = normalizeTokenRequest(request);
    const deadline: Deadline = deadlineForCall(this.deadlineMs, signal);
    try {
      return await this.cache.get(normalized, deadline);
    } catch (error) {
      if (isDeadlineAbort(error)) {
        throw new IamUpstreamUnavailableError(undefined, CALLER_DEADLINE_RETRY_AFTER_SECONDS, {
          code: 'service_token.unavailable',
          reason: `Hydra token: ${error.message}`,
        });
      }
      throw error;
    } finally {
      deadline.dispose();
    }
  }
}
