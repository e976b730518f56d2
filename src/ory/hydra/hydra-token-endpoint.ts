import { Configuration, OAuth2Api } from '@ory/client';
import type { ValidatedServiceTokensConfig } from '../../config/service-tokens-config.js';
import type { Deadline } from '../../deadline/deadline.js';
import type { UpstreamGuard } from '../../resilience/upstream-guard.js';
import { callOry, type OryCallPolicy } from '../ory-call.js';
import { readTokenAnswer } from './token-answer.js';
import { hydraRefusal } from './token-refusal.js';

/** What a token is asked for: both lists deduplicated and sorted, audience never empty. */
export interface TokenGrantRequest {
  readonly audience: readonly string[];
  readonly scope: readonly string[];
}

/** A client-credentials access token as Hydra issued it. */
export interface IssuedToken {
  readonly accessToken: string;
  /** From `expires_in`: relative, so the two clocks need not agree. */
  readonly expiresInMs: number;
  /** The scopes Hydra granted (its `scope`), or the requested ones when it names none. */
  readonly scope: readonly string[];
}

/** Where service tokens come from; Hydra's token endpoint in production. */
export interface TokenEndpoint {
  issue(request: TokenGrantRequest, deadline: Deadline): Promise<IssuedToken>;
}

const OPERATION = 'Hydra token';

/**
 * Hydra's `POST /oauth2/token` with `grant_type=client_credentials`, through `@ory/client`'s
 * `OAuth2Api.oauth2TokenExchange`. That method's form has `grant_type`, `client_id`, `code`,
 * `redirect_uri` and `refresh_token` only; `scope`, `audience` and (for `client_secret_post`)
 * `client_secret` are added to the encoded form by the call's axios `transformRequest`, so the
 * SDK still sends the request, sets HTTP basic authentication from its `Configuration` and reads
 * the answer. RFC 6749 §2.3.1 wants the basic credentials form-encoded first; Hydra decodes them.
 *
 * Calls run through `callOry` (attempt timeout, retries within the deadline, breaker and bulkhead
 * of the tenant's `hydra-token` upstream, a span that never records the body). Outages become
 * 503s; a 4xx answer becomes a 503 `service_token.rejected` naming Hydra's `error`, never the
 * secret, the request body or the raw SDK error.
 */
export class HydraTokenEndpoint implements TokenEndpoint {
  private readonly api: OAuth2Api;

  constructor(
    private readonly config: ValidatedServiceTokensConfig,
    private readonly policy: OryCallPolicy,
    private readonly guard: UpstreamGuard,
  ) {
    const basic = config.authMethod === 'client_secret_basic';
    this.api = new OAuth2Api(
      new Configuration({
        basePath: config.hydraPublicUrl,
        username: basic ? encodeURIComponent(config.clientId) : undefined,
        password: basic ? encodeURIComponent(config.clientSecret) : undefined,
      }),
    );
  }

  async issue(request: TokenGrantRequest, deadline: Deadline): Promise<IssuedToken> {
    const post = this.config.authMethod === 'client_secret_post';
    const extra: Record<string, string> = {};
    if (request.scope.length > 0) extra.scope = request.scope.join(' ');
    extra.audience = request.audience.join(' ');
    if (post) extra.client_secret = this.config.clientSecret;
    try {
      const response = await callOry(
        OPERATION,
        this.policy,
        async (options) => {
          const answer = await this.api.oauth2TokenExchange(
            { grantType: 'client_credentials', clientId: post ? this.config.clientId : undefined },
            { ...options, transformRequest: [(form: unknown) => withFields(form, extra)] },
          );
          // Inside the attempt: a malformed answer counts towards the breaker like a 5xx.
          return { ...answer, data: readTokenAnswer(answer.status, answer.data) };
        },
        { idempotent: true, deadline, guard: this.guard },
      );
      const { accessToken, expiresInMs, scope } = response.data;
      return { accessToken, expiresInMs, scope: scope ?? request.scope };
    } catch (error) {
      throw hydraRefusal(OPERATION, error, this.config.clientSecret);
    }
  }
}

/** The SDK's encoded form with the fields its method has no parameter for. */
function withFields(form: unknown, fields: Readonly<Record<string, string>>): string {
  const params = new URLSearchParams(typeof form === 'string' ? form : '');
  for (const [name, value] of Object.entries(fields)) params.set(name, value);
  return params.toString();
}
