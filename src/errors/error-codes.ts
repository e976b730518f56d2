/**
 * Every stable error code the library answers with, and the HTTP status each maps to.
 * The status, the audit event name and the default message all derive from this one table.
 */
export const IAM_ERROR_STATUS = {
  'auth.failure.missing_credentials': 401,
  'auth.failure.malformed': 401,
  'auth.failure.invalid_signature': 401,
  'auth.failure.expired': 401,
  'auth.failure.not_yet_valid': 401,
  'auth.failure.issuer_mismatch': 401,
  'auth.failure.audience_mismatch': 401,
  'auth.failure.replay': 401,
  'auth.failure.session_inactive': 401,
  'auth.failure.unsupported_context': 401,
  'auth.tenant_mismatch': 401,
  'auth.tenant_unknown': 401,
  'authz.role.deny': 403,
  'authz.permission.deny': 403,
  'authz.permission.unresolved': 403,
  'authz.aal.insufficient': 403,
  'authz.scope.deny': 403,
  'authz.service.deny': 403,
  'authz.caller_kind.deny': 403,
  'auth.csrf.origin_mismatch': 403,
  'auth.upstream_unavailable': 503,
  'request.invalid_id': 400,
  'auth.replay_capacity_exceeded': 503,
  'auth.replay_state_lost': 503,
  'upstream.circuit_open': 503,
  'upstream.saturated': 503,
  'service_token.unavailable': 503,
  'service_token.rejected': 503,
} as const;

/** A stable, documented error code carried in the `code` field of every error body. */
export type IamErrorCode = keyof typeof IAM_ERROR_STATUS;

export type UnauthorizedCode = {
  [C in IamErrorCode]: (typeof IAM_ERROR_STATUS)[C] extends 401 ? C : never;
}[IamErrorCode];

export type UnavailableCode = {
  [C in IamErrorCode]: (typeof IAM_ERROR_STATUS)[C] extends 503 ? C : never;
}[IamErrorCode];

export type ForbiddenCode = {
  [C in IamErrorCode]: (typeof IAM_ERROR_STATUS)[C] extends 403 ? C : never;
}[IamErrorCode];

export type BadRequestCode = {
  [C in IamErrorCode]: (typeof IAM_ERROR_STATUS)[C] extends 400 ? C : never;
}[IamErrorCode];

/** Every HTTP status the table maps a code to. */
export type IamErrorStatus = (typeof IAM_ERROR_STATUS)[IamErrorCode];

/** Default client-facing messages. They never contain request data. */
export const IAM_ERROR_MESSAGES: Readonly<Record<IamErrorCode, string>> = {
  'auth.failure.missing_credentials': 'No credentials were presented.',
  'auth.failure.malformed': 'The credentials are malformed.',
  'auth.failure.invalid_signature': 'The token signature could not be verified.',
  'auth.failure.expired': 'The token has expired.',
  'auth.failure.not_yet_valid': 'The token is not valid yet.',
  'auth.failure.issuer_mismatch': 'The token was issued by an untrusted issuer.',
  'auth.failure.audience_mismatch': 'The token was not minted for this service.',
  'auth.failure.replay':
    'The token was already used. If this is not an attack, the Oathkeeper id_token claims template ' +
    'likely has no per-request value (e.g. "jti": "{{ uuidv4 }}"), so its token cache resends the same token.',
  'auth.failure.session_inactive': 'The session is not active.',
  'auth.failure.unsupported_context': 'This kind of request cannot be authenticated.',
  'auth.tenant_mismatch': 'The credentials belong to another tenant.',
  'auth.tenant_unknown': 'The request does not name a known tenant.',
  'authz.role.deny': 'A required role is missing.',
  'authz.permission.deny': 'The permission check denied access.',
  'authz.permission.unresolved': 'The permission check could not be resolved for this request.',
  'authz.aal.insufficient': 'A higher authenticator assurance level is required.',
  'authz.scope.deny': 'A required OAuth2 scope is missing.',
  'authz.service.deny': 'This service is not allowed to call this route.',
  'authz.caller_kind.deny': 'This route does not accept this kind of caller (user or service).',
  'auth.csrf.origin_mismatch':
    'The request came from another site and carries the session cookie; it is refused (CSRF).',
  'auth.upstream_unavailable': 'An identity service is unavailable; try again later.',
  'request.invalid_id': 'The id is not a valid Kratos id (a UUID).',
  'auth.replay_capacity_exceeded':
    'The replay cache has no room for this token now (its tenant, or its subject, holds as many ' +
    'token ids as allowed); try again later.',
  'auth.replay_state_lost':
    'The replay cache lost its records recently, and this token was issued before that, so it ' +
    'cannot be proven unused; try again with a new token.',
  'upstream.circuit_open':
    'An identity service failed repeatedly and is given time to recover; try again after the ' +
    'Retry-After delay.',
  'upstream.saturated':
    'An identity service has as many calls in flight as allowed; try again shortly.',
  'service_token.unavailable':
    'This service could not obtain its access token from the OAuth2 server (Hydra) in time; try again later.',
  'service_token.rejected':
    'The OAuth2 server (Hydra) refused to issue this service its access token (check the client id, secret, scopes and audiences it is allowed).',
};

export function statusForCode(code: IamErrorCode): IamErrorStatus {
  return IAM_ERROR_STATUS[code];
}
