import type { IamModuleOptions } from '../config/module-options.js';
import type { TransportKind } from '../config/tenant-config.js';
import { validateIamOptions } from '../config/validate-options.js';

/** What the rules must agree with, from one tenant of `IamModule`'s options. */
export interface ServiceProfile {
  readonly tenant: string;
  readonly transport: TransportKind;
  /** `IamModule`'s `global`: every route needs a session unless decorated otherwise. */
  readonly globalGuard: boolean;
  /** The service verifies an Oathkeeper `id_token`, so authenticated rules must mint one. */
  readonly expectsIdToken: boolean;
  readonly audience?: string;
  readonly issuer?: string;
  /**
   * `oathkeeper.serviceIssuer`: the `issuer_url` of the rules of service routes, the mark by
   * which the service tells a machine caller's token from a user's.
   */
  readonly serviceIssuer?: string;
  readonly tenantClaim: string;
  readonly allowMissingTenant: boolean;
  readonly replayProtection: boolean;
}

/**
 * The profile of `tenant` (default: `defaultTenant`, else the only tenant). Options are validated
 * as at boot, so invalid ones fail here with the same `IamConfigurationError`.
 */
export function serviceProfile(options: IamModuleOptions, tenant?: string): ServiceProfile {
  const validated = validateIamOptions(options);
  const names = Object.keys(validated.tenants);
  const name = tenant ?? validated.defaultTenant ?? (names.length === 1 ? names[0] : undefined);
  if (name === undefined) {
    throw new Error(`IamModule has several tenants (${names.join(', ')}): name one (--tenant)`);
  }
  const config = validated.tenants[name];
  if (config === undefined) {
    throw new Error(`IamModule has no tenant "${name}" (it has ${names.join(', ')})`);
  }
  const oathkeeper = config.oathkeeper;
  if (config.transport === 'oathkeeper' && oathkeeper?.verifier !== 'jwt') {
    throw new Error(
      `tenant "${name}" verifies Oathkeeper's HMAC header, which no access rule can produce; rules are generated for verifier 'jwt'`,
    );
  }
  const expectsIdToken = config.transport === 'oathkeeper';
  if (expectsIdToken && oathkeeper?.identityHeader.toLowerCase() !== 'authorization') {
    throw new Error(
      `tenant "${name}" reads its token from ${oathkeeper?.identityHeader}, but Oathkeeper's id_token mutator always sets Authorization: set oathkeeper.identityHeader to 'Authorization'`,
    );
  }
  return {
    tenant: name,
    transport: config.transport,
    globalGuard: validated.global,
    expectsIdToken,
    ...(oathkeeper?.audience !== undefined && { audience: oathkeeper.audience }),
    ...(oathkeeper?.issuer !== undefined && { issuer: oathkeeper.issuer }),
    ...(oathkeeper?.serviceIssuer !== undefined && { serviceIssuer: oathkeeper.serviceIssuer }),
    tenantClaim: config.claims.tenant,
    allowMissingTenant: config.claims.allowMissingTenant,
    replayProtection: oathkeeper?.replayProtection.enabled === true,
  };
}
