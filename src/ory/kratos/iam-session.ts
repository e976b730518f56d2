/** The identity a Kratos session belongs to, as the library hands it out. */
export interface IamSessionIdentity {
  readonly id: string;
  readonly tenant: string;
  /** Kratos identity state; anything Kratos reports other than `active` reads as `inactive`. */
  readonly state: 'active' | 'inactive';
  /** From `metadata_public` through the tenant's `claims.roles` paths, never from traits. */
  readonly roles: readonly string[];
  readonly traits: Readonly<Record<string, unknown>>;
  readonly metadataPublic: Readonly<Record<string, unknown>> | undefined;
}

/** A Kratos session in the library's own terms (nothing from `@ory/*`). */
export interface IamSession {
  readonly id: string;
  readonly active: boolean;
  readonly expiresAt: Date | undefined;
  readonly authenticatedAt: Date | undefined;
  readonly issuedAt: Date | undefined;
  /** Authenticator assurance level, e.g. `aal1`. */
  readonly aal: string | undefined;
  /** Absent only when Kratos did not include the identity (some admin listings). */
  readonly identity: IamSessionIdentity | undefined;
}

/** One page of sessions; pass `nextPageToken` back as `pageToken` for the next one. */
export interface IamSessionPage {
  readonly sessions: readonly IamSession[];
  /** Undefined on the last page. */
  readonly nextPageToken: string | undefined;
}

/** Paging of `SessionService.forTenant(t).list()`. */
export interface SessionPaging {
  /** Sessions per page, 1 to 1000. Default 250. */
  readonly pageSize?: number;
  /** `nextPageToken` of the previous page (the library's own token, not Kratos'). */
  readonly pageToken?: string;
  /** Only active (true) or only inactive (false) sessions; both when unset. */
  readonly active?: boolean;
}

/**
 * Where `whoami` finds the session credential: an incoming request (the platform's request or
 * an `IamRequest`; its session cookie or session token), a session token, or a `Cookie` header
 * (as in `req.headers.cookie`) from which only the tenant's session cookie is used.
 */
export type WhoamiSource =
  | { readonly token: string }
  | { readonly cookie: string }
  | { readonly headers: Readonly<Record<string, string | string[] | undefined>> }
  | {
      header(name: string): string | undefined;
      cookie(name: string): string | undefined;
    };

/**
 * One tenant's session operations. The admin ones (`list`, `revoke`, `revokeAllForIdentity`,
 * `extend`) need `kratos.adminUrl`. An id that is not a UUID is a 400 `request.invalid_id`
 * (`IamBadRequestError`) and never reaches Kratos; an unknown session or identity is a
 * `NotFoundException` (404 `session.not_found` / `identity.not_found`), never a success. Kratos
 * unreachable is a 503 `IamUpstreamUnavailableError`.
 */
export interface TenantSessions {
  /** The caller's session, checked like the transports check it (and through the same cache). */
  whoami(source: WhoamiSource): Promise<IamSession>;
  /**
   * One page of an identity's sessions, newest first; an identity without sessions has an empty
   * page, an unknown identity is a 404 `identity.not_found`. A page token the library did not
   * issue, or a page size out of range, is a `BadRequestException`.
   */
  list(identityId: string, paging?: SessionPaging): Promise<IamSessionPage>;
  /**
   * Revokes one session in Kratos and evicts it from the session cache (also when the call failed:
   * a revoke whose answer was lost may have happened). A whoami Kratos answered before the revoke
   * is not written back to the cache after it.
   */
  revoke(sessionId: string): Promise<void>;
  /**
   * Revokes every session of an identity and evicts them from the session cache. Resolves when
   * the identity has no session left to revoke; an unknown identity is a 404 `identity.not_found`.
   */
  revokeAllForIdentity(identityId: string): Promise<void>;
  /** Extends a session by Kratos' configured lifespan and returns it. */
  extend(sessionId: string): Promise<IamSession>;
}
