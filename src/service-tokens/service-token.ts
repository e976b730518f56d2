/**
 * What a token is asked for: the receiving service(s) and the scopes the call needs. Each value is
 * one OAuth2 token (no spaces); order and duplicates do not matter, so `['a', 'b']` and
 * `['b', 'a']` share one cached token.
 */
export interface ServiceTokenRequest {
  /** The receiving service's name as its `oauth2.audience` says it, e.g. `inventory-api`. Required. */
  readonly audience: string | readonly string[];
  /** The scopes the call needs, e.g. `inventory:reserve`. Default none. */
  readonly scope?: string | readonly string[];
}

/**
 * A client-credentials access token, ready to send. The token itself is a private field:
 * `JSON.stringify`, `console.log` and Nest's logger show the audience, scopes and expiry only.
 */
export class ServiceToken {
  readonly #accessToken: string;

  constructor(
    accessToken: string,
    /** The audiences it was asked for (Hydra puts them in its `aud`). */
    readonly audience: readonly string[],
    /** The scopes Hydra granted. */
    readonly scope: readonly string[],
    /** When Hydra said it expires, by this process's clock. */
    readonly expiresAt: Date,
  ) {
    this.#accessToken = accessToken;
  }

  /** The raw access token. */
  get accessToken(): string {
    return this.#accessToken;
  }

  /** The `Authorization` header value: `Bearer <token>`. */
  get authorization(): string {
    return `Bearer ${this.#accessToken}`;
  }

  toJSON(): { audience: readonly string[]; scope: readonly string[]; expiresAt: string } {
    return { audience: this.audience, scope: this.scope, expiresAt: this.expiresAt.toISOString() };
  }
}

/** Options of {@link TenantServiceTokens.fetch}. */
export interface ServiceTokenFetchOptions extends ServiceTokenRequest {
  /**
   * The header the token goes in as `Bearer <token>`. Default `Authorization` (what Oathkeeper's
   * authenticators and a receiver's `oauth2.header` default read).
   */
  readonly header?: string;
}

/** `fetch`'s signature: what {@link TenantServiceTokens.fetch} returns. */
export type ServiceTokenFetch = (
  input: string | URL | Request,
  init?: RequestInit,
) => Promise<Response>;

/**
 * The service tokens of one tenant's OAuth2 client (`serviceTokens` in its config). Tokens are
 * cached per (audience, scope) set until shortly before they expire, one request to Hydra is
 * shared by every concurrent caller, and a token nearing its end is renewed in the background.
 * Failures are 503 `IamUpstreamUnavailableError`s: `service_token.unavailable` (Hydra down, slow,
 * or answering nonsense; or the caller's deadline ran out), `service_token.rejected` (Hydra
 * refused the client, scope or audience), `upstream.circuit_open`, `upstream.saturated`.
 */
export interface TenantServiceTokens {
  /** A token for `request`: the cached one, or a new one from Hydra within the call's deadline. */
  token(request: ServiceTokenRequest): Promise<ServiceToken>;
  /**
   * `fetch` with the token for `options` in its `Authorization` (or `options.header`) header. The
   * token is fetched first, within the deadline and `init.signal`; the call itself is `fetch`'s.
   */
  fetch(options: ServiceTokenFetchOptions): ServiceTokenFetch;
  /**
   * Forgets the cached token for `request` (all of them without one), e.g. after the receiver
   * answered 401 because the client's secret or Hydra's keys were rotated.
   */
  invalidate(request?: ServiceTokenRequest): void;
}
