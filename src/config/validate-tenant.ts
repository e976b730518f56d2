import type { ConfigProblems } from './config-problems.js';
import { ConfigSection } from './config-section.js';
import {
  DEFAULT_ALLOW_MISSING_TENANT,
  DEFAULT_MODE,
  DEFAULT_ROLES_CLAIM_PATHS,
  DEFAULT_TENANT_CLAIM,
  DEFAULT_TRUST_PROXY,
  TRANSPORTS,
} from './defaults.js';
import type {
  ValidatedClaimMapping,
  ValidatedOathkeeperConfig,
  ValidatedTenantConfig,
} from './tenant-config.js';
import type { TenantNeighbours } from './tenant-neighbours.js';
import { validateCloud } from './validate-cloud.js';
import { validateHttp } from './validate-http.js';
import { validateOathkeeper } from './validate-oathkeeper.js';
import { validateOAuth2 } from './validate-oauth2.js';
import { validateKeto, validateKratos } from './validate-self-hosted.js';
import { validateServiceTokens } from './validate-service-tokens.js';

const TENANT_KEYS = [
  'mode',
  'transport',
  'trustProxy',
  'kratos',
  'keto',
  'oathkeeper',
  'oauth2',
  'serviceTokens',
  'cloud',
  'claims',
  'http',
] as const;
const CLAIMS_KEYS = ['roles', 'tenant', 'allowMissingTenant'] as const;
const MODES = ['self-hosted', 'cloud'] as const;

function validateClaims(
  claims: ConfigSection | undefined,
  allowMissingTenantByDefault: boolean,
): ValidatedClaimMapping {
  if (claims === undefined) {
    return {
      roles: DEFAULT_ROLES_CLAIM_PATHS,
      tenant: DEFAULT_TENANT_CLAIM,
      allowMissingTenant: allowMissingTenantByDefault,
    };
  }
  claims.allowOnly(CLAIMS_KEYS);
  const roles = claims.stringList('roles') ?? DEFAULT_ROLES_CLAIM_PATHS;
  roles.forEach((rolePath, index) => {
    if (rolePath.split('.').some((segment) => segment === '')) {
      claims.problems.add(
        `${claims.pathOf('roles')}[${index}]`,
        `must be a dot path such as 'metadataPublic.roles', got ${JSON.stringify(rolePath)}`,
      );
    }
  });
  return {
    roles,
    tenant: claims.string('tenant') ?? DEFAULT_TENANT_CLAIM,
    allowMissingTenant: claims.boolean('allowMissingTenant', allowMissingTenantByDefault),
  };
}

/**
 * An `hmac` tenant whose secret no other tenant holds: only its own gateway can sign for it, so
 * the secret binds the tenant and a header naming none is accepted unless configured otherwise.
 * With a shared secret the header must name the tenant: any holder could sign for any of them.
 */
function hmacSecretBindsTenant(
  oathkeeper: ValidatedOathkeeperConfig | undefined,
  neighbours: TenantNeighbours,
): boolean {
  const secret = oathkeeper?.verifier === 'hmac' ? oathkeeper.hmacSecret : undefined;
  return secret !== undefined && neighbours.hmacSecretHolders(secret) === 1;
}

function validateOathkeeperFor(
  tenant: ConfigSection,
  transport: ValidatedTenantConfig['transport'] | undefined,
): ValidatedOathkeeperConfig | undefined {
  if (transport !== 'oathkeeper') {
    if (transport !== undefined && tenant.has('oathkeeper')) {
      tenant.problem(
        'oathkeeper',
        `is only used with transport 'oathkeeper'; remove it (transport is '${transport}')`,
      );
    }
    return undefined;
  }
  tenant.require('oathkeeper', "is required when transport is 'oathkeeper'");
  const oathkeeper = tenant.section('oathkeeper');
  return oathkeeper === undefined ? undefined : validateOathkeeper(oathkeeper);
}

/**
 * Validates one tenant (`tenants.<name>`) and applies its defaults. Problems go to `problems`;
 * the result is only meaningful when none were found.
 */
export function validateTenant(
  name: string,
  value: unknown,
  path: string,
  problems: ConfigProblems,
  neighbours: TenantNeighbours,
): ValidatedTenantConfig | undefined {
  const tenant = ConfigSection.of(value, path, problems);
  if (tenant === undefined) return undefined;
  tenant.allowOnly(TENANT_KEYS);
  const mode = tenant.oneOf('mode', MODES, DEFAULT_MODE);
  tenant.require('transport', `is required (one of ${TRANSPORTS.map((t) => `'${t}'`).join(', ')})`);
  const transport = tenant.oneOf('transport', TRANSPORTS);
  const kratosSection = tenant.section('kratos');

  let endpoints: Pick<ValidatedTenantConfig, 'kratos' | 'keto' | 'cloud'> | undefined;
  if (mode === 'cloud') {
    endpoints = validateCloud(tenant, kratosSection, transport);
  } else {
    if (tenant.has('cloud')) {
      tenant.problem('cloud', "is only used with mode 'cloud'; remove it or set mode: 'cloud'");
    }
    endpoints = {
      kratos: validateKratos(tenant, kratosSection, transport),
      keto: validateKeto(tenant.section('keto')),
    };
  }

  const trustProxy = tenant.boolean('trustProxy', DEFAULT_TRUST_PROXY);
  const oathkeeper = validateOathkeeperFor(tenant, transport);
  const claims = validateClaims(
    tenant.section('claims'),
    DEFAULT_ALLOW_MISSING_TENANT || hmacSecretBindsTenant(oathkeeper, neighbours),
  );
  const http = validateHttp(tenant.section('http'));
  const oauth2Section = tenant.section('oauth2');
  const oauth2 =
    oauth2Section === undefined ? undefined : validateOAuth2(oauth2Section, oathkeeper);
  const serviceTokensSection = tenant.section('serviceTokens');
  const serviceTokens =
    serviceTokensSection === undefined ? undefined : validateServiceTokens(serviceTokensSection);
  if (transport === undefined) return undefined;
  return {
    name,
    mode,
    transport,
    trustProxy,
    ...endpoints,
    oathkeeper,
    ...(oauth2 !== undefined && { oauth2 }),
    ...(serviceTokens !== undefined && { serviceTokens }),
    claims,
    http,
  };
}
