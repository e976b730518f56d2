import { rolesFromClaims } from '../../identity/claim-path.js';

/**
 * Roles of a Kratos identity: the tenant's `claims.roles` paths evaluated against
 * `metadata_public` alone, reachable as `metadataPublic` and `metadata_public` so the paths that
 * work for Oathkeeper JWTs work here too. Traits are not reachable: users can edit their own.
 */
export function rolesFromMetadata(
  metadataPublic: Readonly<Record<string, unknown>> | undefined,
  paths: readonly string[],
): readonly string[] {
  if (metadataPublic === undefined) return [];
  return rolesFromClaims({ metadataPublic, metadata_public: metadataPublic }, paths);
}
