import type { ConfigSection } from './config-section.js';
import { DEFAULT_CLOCK_SKEW_MS, DEFAULT_MAX_TOKEN_BYTES } from './defaults.js';
import type { ValidatedOAuth2Config } from './oauth2-config.js';
import type { ValidatedJwksConfig, ValidatedOathkeeperConfig } from './tenant-config.js';
import { readJwks } from './validate-oathkeeper.js';

const OAUTH2_KEYS = [
  'issuer',
  'audience',
  'jwks',
  'header',
  'clockSkewMs',
  'maxTokenBytes',
] as const;
const DEFAULT_OAUTH2_HEADER = 'Authorization';
const REQUIREMENT = 'is required when oauth2 is set';

/**
 * Validates `tenants.<name>.oauth2`. Issuer and audience are required: without them any token the
 * JWKS signed, for any service, would be accepted. The header must differ from Oathkeeper's
 * identity header, or one header would carry two kinds of token.
 */
export function validateOAuth2(
  oauth2: ConfigSection,
  oathkeeper: ValidatedOathkeeperConfig | undefined,
): ValidatedOAuth2Config | undefined {
  oauth2.allowOnly(OAUTH2_KEYS);
  oauth2.require('issuer', REQUIREMENT);
  oauth2.require('audience', REQUIREMENT);
  oauth2.require('jwks', REQUIREMENT);
  const issuer = oauth2.string('issuer');
  const audience = oauth2.string('audience');
  const jwksSection = oauth2.section('jwks');
  const jwks: ValidatedJwksConfig | undefined =
    jwksSection === undefined ? undefined : readJwks(jwksSection);
  const header = oauth2.string('header', { token: true }) ?? DEFAULT_OAUTH2_HEADER;
  if (
    oathkeeper !== undefined &&
    header.toLowerCase() === oathkeeper.identityHeader.toLowerCase()
  ) {
    oauth2.problem(
      'header',
      `must differ from oathkeeper.identityHeader ('${oathkeeper.identityHeader}'): one header cannot carry both kinds of token`,
    );
  }
  if (oathkeeper?.issuer !== undefined && oathkeeper.issuer === issuer) {
    oauth2.problem('issuer', 'must differ from oathkeeper.issuer: each issuer has its own keys');
  }
  const clockSkewMs = oauth2.integer('clockSkewMs', DEFAULT_CLOCK_SKEW_MS, { min: 0 });
  const maxTokenBytes = oauth2.integer('maxTokenBytes', DEFAULT_MAX_TOKEN_BYTES, {
    unit: 'bytes',
  });
  if (issuer === undefined || audience === undefined || jwks === undefined) return undefined;
  return { issuer, audience, jwks, header, clockSkewMs, maxTokenBytes };
}
