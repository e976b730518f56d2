/**
 * How a service authenticates itself to Hydra's token endpoint. `private_key_jwt` is not supported
 * yet (docs/service-to-service.md says why).
 */
export type ServiceTokenAuthMethod = 'client_secret_basic' | 'client_secret_post';

/**
 * Outgoing machine identity: the OAuth2 client this service is at Ory Hydra, used by
 * `ServiceTokens` to obtain client-credentials access tokens for the services it calls
 * (docs/service-to-service.md).
 */
export interface ServiceTokensConfig {
  /**
   * Hydra's public URL, e.g. `http://127.0.0.1:4444`; tokens come from `<url>/oauth2/token`.
   * Required.
   */
  hydraPublicUrl: string;
  /** This service's OAuth2 client id at Hydra, e.g. `orders-api`. Required. */
  clientId: string;
  /** The client's secret. Never logged, never in an error, an audit event or a span. Required. */
  clientSecret: string;
  /** Must match the client's `token_endpoint_auth_method` at Hydra. Default `client_secret_basic`. */
  authMethod?: ServiceTokenAuthMethod;
  /**
   * A cached token is handed out only while more than this is left of its lifetime (at most half
   * the lifetime), so it does not expire on its way or on a receiver whose clock runs ahead.
   * Default 30000.
   */
  expiryMarginMs?: number;
  /**
   * This long before that point (at most half of what is left), the next caller still gets the
   * cached token and a new one is fetched in the background. 0 turns refresh-ahead off.
   * Default 60000.
   */
  refreshAheadMs?: number;
}

/** The `serviceTokens` block after validation. */
export interface ValidatedServiceTokensConfig {
  readonly hydraPublicUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly authMethod: ServiceTokenAuthMethod;
  readonly expiryMarginMs: number;
  readonly refreshAheadMs: number;
}
