/** How the identity was proven. */
export type IamIdentitySource =
  | 'oathkeeper-jwt'
  | 'oathkeeper-hmac'
  | 'kratos-cookie'
  | 'kratos-bearer'
  | 'oauth2-access-token'
  | 'testing';

/**
 * `user`: a person, proven by a Kratos session or a gateway JWT about one. `service`: a machine
 * caller, proven by an OAuth2 client-credentials access token, or by Oathkeeper's JWT minted with
 * the tenant's `oathkeeper.serviceIssuer` after introspecting one; only routes with `@RequireScope`
 * or `@RequireService` accept it, and those refuse users.
 */
export type IamIdentityKind = 'user' | 'service';

/** The verified caller, attached to the request by `SessionGuard`. */
export interface IamIdentity {
  /** Kratos identity id (the JWT `sub`); for a service, its OAuth2 client id. */
  readonly id: string;
  readonly kind: IamIdentityKind;
  /** The OAuth2 scopes granted to a service (the token's `scp` or `scope`); absent for users. */
  readonly scope?: readonly string[];
  readonly tenant: string;
  /** From verified claims or `metadata_public` only, never from traits. */
  readonly roles: readonly string[];
  readonly traits?: Readonly<Record<string, unknown>>;
  readonly metadataPublic?: Readonly<Record<string, unknown>>;
  readonly sessionId?: string;
  readonly aal?: string;
  readonly via: IamIdentitySource;
  /**
   * When the credential that proved this identity stops being valid, in epoch milliseconds: the
   * JWT's `exp` or the Kratos session's `expires_at`. A WebSocket connection, which keeps its
   * identity for as long as it lives, is closed once it passes.
   */
  readonly expiresAt?: number;
  /** The verified JWT claims, for `oathkeeper-jwt` and `oauth2-access-token`. */
  readonly claims?: Readonly<Record<string, unknown>>;
}
