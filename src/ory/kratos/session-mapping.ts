import type { ValidatedTenantConfig } from '../../config/tenant-config.js';
import { MalformedAnswerError } from '../malformed-answer.js';
import type { IamSession, IamSessionIdentity } from './iam-session.js';
import { isJsonObject, optionalDate, optionalString } from './json-values.js';
import { rolesFromMetadata } from './roles.js';

/** Kratos answered 2xx with a body that is not a session: a broken upstream, never an allow. */
export class KratosSessionShapeError extends MalformedAnswerError {
  constructor(what: string) {
    super(`Kratos returned a session without a valid ${what}.`);
    this.name = 'KratosSessionShapeError';
  }
}

function requiredId(value: unknown, what: string): string {
  const id = optionalString(value);
  if (id === undefined) throw new KratosSessionShapeError(what);
  return id;
}

/** Maps a Kratos identity (from a session or the admin API) to the library's type. */
export function identityFromKratos(
  tenant: ValidatedTenantConfig,
  value: unknown,
): IamSessionIdentity {
  if (!isJsonObject(value)) throw new KratosSessionShapeError('identity');
  const metadataPublic = isJsonObject(value.metadata_public) ? value.metadata_public : undefined;
  return {
    id: requiredId(value.id, 'identity id'),
    tenant: tenant.name,
    state: value.state === 'active' ? 'active' : 'inactive',
    roles: rolesFromMetadata(metadataPublic, tenant.claims.roles),
    traits: isJsonObject(value.traits) ? value.traits : {},
    metadataPublic,
  };
}

/**
 * Maps a Kratos session body to an {@link IamSession}. Only the shape is checked here; whether
 * the session may authenticate a request is {@link assertUsableSession}'s call.
 */
export function sessionFromKratos(tenant: ValidatedTenantConfig, value: unknown): IamSession {
  if (!isJsonObject(value)) throw new KratosSessionShapeError('body');
  return {
    id: requiredId(value.id, 'session id'),
    active: value.active === true,
    expiresAt: optionalDate(value.expires_at),
    authenticatedAt: optionalDate(value.authenticated_at),
    issuedAt: optionalDate(value.issued_at),
    aal: optionalString(value.authenticator_assurance_level),
    identity:
      value.identity === undefined || value.identity === null
        ? undefined
        : identityFromKratos(tenant, value.identity),
  };
}
