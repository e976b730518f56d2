import type { IamSessionIdentity, IamSessionPage, SessionPaging } from './iam-session.js';

/** An address of an identity that can be verified (e.g. an email address from the traits). */
export interface IamVerifiableAddress {
  readonly value: string;
  /** How the address is reached, e.g. `email` or `sms`. */
  readonly via: string;
  readonly verified: boolean;
  /** Kratos' verification status, e.g. `pending`, `sent`, `completed`. */
  readonly status: string;
  readonly verifiedAt: Date | undefined;
}

/** An address of an identity that recovery messages can go to. */
export interface IamRecoveryAddress {
  readonly value: string;
  readonly via: string;
}

/**
 * An identity as the admin API sees it, in the library's own terms (nothing from `@ory/*`). It
 * extends the identity of a session with what only operators see. Credentials are never included.
 */
export interface IamIdentityRecord extends IamSessionIdentity {
  /** The identity schema its traits are validated against. */
  readonly schemaId: string;
  /** Operator-only metadata: never shown to the identity itself. */
  readonly metadataAdmin: Readonly<Record<string, unknown>> | undefined;
  readonly createdAt: Date | undefined;
  readonly updatedAt: Date | undefined;
  readonly stateChangedAt: Date | undefined;
  readonly verifiableAddresses: readonly IamVerifiableAddress[];
  readonly recoveryAddresses: readonly IamRecoveryAddress[];
}

/** Password credentials to set: a plain-text password (Kratos hashes it) or a PHC-format hash. */
export interface IamPasswordInput {
  /** Plain text; Kratos hashes it with its configured hasher (slow on purpose). */
  readonly password?: string;
  /** An existing hash in PHC format (`$2a$...`, `$argon2id$...`), imported as is. */
  readonly hashedPassword?: string;
}

/** A new identity. */
export interface IamIdentityCreate {
  /** The identity schema; Kratos' `identity.default_schema_id` when omitted. */
  readonly schemaId?: string;
  /** Validated by Kratos against the schema. */
  readonly traits: Readonly<Record<string, unknown>>;
  /** `active` when omitted. */
  readonly state?: 'active' | 'inactive';
  /** Visible to the identity (sessions, Oathkeeper claims); where roles live. */
  readonly metadataPublic?: Readonly<Record<string, unknown>>;
  readonly metadataAdmin?: Readonly<Record<string, unknown>>;
  readonly credentials?: { readonly password?: IamPasswordInput };
}

/**
 * A full replacement of an identity (HTTP PUT): traits and both metadata objects are replaced by
 * what is given, so an omitted `metadataPublic` clears it (and the roles in it). Credentials given
 * here are added; existing ones are kept. Use `patch` to change a single field.
 */
export interface IamIdentityUpdate {
  /** The current schema when omitted. */
  readonly schemaId?: string;
  readonly traits: Readonly<Record<string, unknown>>;
  /** Required: a replacement that forgot the state must not reactivate a deactivated identity. */
  readonly state: 'active' | 'inactive';
  readonly metadataPublic?: Readonly<Record<string, unknown>>;
  readonly metadataAdmin?: Readonly<Record<string, unknown>>;
  readonly credentials?: { readonly password?: IamPasswordInput };
}

/**
 * One RFC 6902 JSON Patch operation on an identity. Paths start with one of the record's field
 * names: `/traits/...`, `/metadataPublic/...`, `/metadataAdmin/...`, `/state`, `/schemaId`.
 */
export interface IamIdentityPatchOperation {
  readonly op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  readonly path: string;
  /** For `move` and `copy`; same rules as `path`. */
  readonly from?: string;
  readonly value?: unknown;
}

/** Paging and filtering of `list()`. */
export interface IdentityPaging {
  /** Identities per page, 1 to 1000. Default 250. */
  readonly pageSize?: number;
  /** `nextPageToken` of the previous page. */
  readonly pageToken?: string;
  /** Only the identity whose credentials use this identifier (exact match, e.g. an email). */
  readonly credentialsIdentifier?: string;
}

/** One page of identities, ordered by id; pass `nextPageToken` back as `pageToken`. */
export interface IamIdentityPage {
  readonly identities: readonly IamIdentityRecord[];
  /** Undefined on the last page. */
  readonly nextPageToken: string | undefined;
}

/** Why an import item was not created. */
export type IamImportFailureCode =
  /** Kratos rejected the item, e.g. traits that do not match the schema. */
  | 'identity.invalid'
  /** An identity with the same identifier (or id) already exists, or the input repeats one. */
  | 'identity.conflict'
  /** Kratos did not answer the call carrying this item: it may or may not have been created. */
  | 'identity.import_unknown'
  /** Not sent: Kratos was unavailable or refused the library before this item's turn. */
  | 'identity.not_imported';

/** The outcome of one import item, at the item's index in the input. */
export type IamImportItemResult =
  | { readonly index: number; readonly status: 'created'; readonly id: string }
  | {
      readonly index: number;
      readonly status: 'failed';
      readonly code: IamImportFailureCode;
      /** Kratos' reason when it gave one (it may repeat the submitted values). */
      readonly reason: string;
    };

/** Options of `import()`. */
export interface IamImportOptions {
  /** Items per Kratos call, 1 to 500. Default 500. */
  readonly chunkSize?: number;
  /**
   * Timeout of each call, in ms. Default: the larger of the tenant's `http.timeoutMs` and 60000,
   * since Kratos hashes every plain-text password of a chunk before it answers.
   */
  readonly timeoutMs?: number;
}

/** Counts and per-item outcomes of an import, `items[i]` being the outcome of input `i`. */
export interface IamImportResult {
  readonly created: number;
  readonly failed: number;
  readonly items: readonly IamImportItemResult[];
}

/** Options of `deactivate()`. */
export interface IamDeactivateOptions {
  /**
   * Also revoke the identity's sessions in Kratos. Without it Kratos rejects them while the
   * identity is inactive, and they work again after `activate()` if they have not expired.
   */
  readonly revokeSessions?: boolean;
}

/**
 * One tenant's identity administration, over Kratos' admin API (`kratos.adminUrl`). An id that is
 * not a UUID is a 400 `request.invalid_id` (`IamBadRequestError`) and never reaches Kratos; unknown
 * ids are 404 `NotFoundException`s with code `identity.not_found`; identities Kratos rejects are 400
 * `identity.invalid`; duplicates 409 `identity.conflict`; Kratos unreachable is a 503
 * `IamUpstreamUnavailableError`.
 */
export interface TenantIdentities {
  /** One page of identities, ordered by id. */
  list(paging?: IdentityPaging): Promise<IamIdentityPage>;
  get(id: string): Promise<IamIdentityRecord>;
  create(identity: IamIdentityCreate): Promise<IamIdentityRecord>;
  /** Replaces the identity (HTTP PUT); see {@link IamIdentityUpdate}. */
  update(id: string, identity: IamIdentityUpdate): Promise<IamIdentityRecord>;
  /** Applies JSON Patch operations (credentials and the id cannot be patched). */
  patch(id: string, operations: readonly IamIdentityPatchOperation[]): Promise<IamIdentityRecord>;
  /** Deletes the identity, its credentials and its sessions. */
  delete(id: string): Promise<void>;
  /**
   * Creates many identities, at most 500 per Kratos call (larger inputs are chunked), and reports
   * every item's outcome in input order. Never throws for an item or an outage: see
   * {@link IamImportItemResult}.
   */
  import(
    identities: readonly IamIdentityCreate[],
    options?: IamImportOptions,
  ): Promise<IamImportResult>;
  /** Sets the state to `active`: the identity can log in again. */
  activate(id: string): Promise<IamIdentityRecord>;
  /** Sets the state to `inactive`: Kratos refuses its logins and sessions from now on. */
  deactivate(id: string, options?: IamDeactivateOptions): Promise<IamIdentityRecord>;
  /** One page of the identity's sessions (as `SessionService.list`); 404 for an unknown id. */
  sessions(id: string, paging?: SessionPaging): Promise<IamSessionPage>;
}
