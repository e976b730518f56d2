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
  /** The verified JWT claims, for `oathkeeper-jwt`. */
  readonly claims?: Readonly<Record<string, unknown>>;
}
