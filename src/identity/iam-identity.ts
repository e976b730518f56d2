/** How the identity was proven. */
export type IamIdentitySource =
  | 'oathkeeper-jwt'
  | 'oathkeeper-hmac'
  | 'kratos-cookie'
  | 'kratos-bearer'
  | 'testing';

/** The verified caller, attached to the request by `SessionGuard`. */
export interface IamIdentity {
  /** Kratos identity id (the JWT `sub`). */
  readonly id: string;
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
  /** The verified JWT claims, for `oathkeeper-jwt`. */
  readonly claims?: Readonly<Record<string, unknown>>;
}
