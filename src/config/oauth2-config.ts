import type { JwksConfig, ValidatedJwksConfig } from './tenant-config.js';

/**
 * OAuth2 JWT access tokens of machine callers (Ory Hydra's `jwt` access-token strategy), verified
 * locally next to the tenant's transport. Access tokens are bearer credentials reused until `exp`:
 * there is no replay check on them (no `jti` claim-once), so keep their lifespan short.
 */
export interface OAuth2Config {
  /** The tokens' exact `iss`, e.g. `http://127.0.0.1:4444/` (Hydra's `urls.self.issuer`). Required. */
  issuer: string;
  /** This service's name as it must appear in the tokens' `aud`, e.g. `inventory-api`. Required. */
  audience: string;
  /** Hydra's JWKS, e.g. `http://127.0.0.1:4444/.well-known/jwks.json`, with the same options as Oathkeeper's. Required. */
  jwks: JwksConfig;
  /**
   * The header carrying `Bearer <access token>`. Default `Authorization`. Only a JWT-shaped value
   * (three dot-separated parts) is taken as an access token: Kratos session tokens pass through.
   */
  header?: string;
  /** Tolerance for `exp`/`nbf`/`iat`. Default 30000. */
  clockSkewMs?: number;
  /** Largest token accepted, in bytes. Default 8192. */
  maxTokenBytes?: number;
}

/** The `oauth2` block after validation. */
export interface ValidatedOAuth2Config {
  readonly issuer: string;
  readonly audience: string;
  readonly jwks: ValidatedJwksConfig;
  readonly header: string;
  readonly clockSkewMs: number;
  readonly maxTokenBytes: number;
}
