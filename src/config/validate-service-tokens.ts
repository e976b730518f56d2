import type { ConfigSection } from './config-section.js';
import type {
  ServiceTokenAuthMethod,
  ValidatedServiceTokensConfig,
} from './service-tokens-config.js';

const SERVICE_TOKENS_KEYS = [
  'hydraPublicUrl',
  'clientId',
  'clientSecret',
  'authMethod',
  'expiryMarginMs',
  'refreshAheadMs',
] as const;
const AUTH_METHODS: readonly ServiceTokenAuthMethod[] = [
  'client_secret_basic',
  'client_secret_post',
];
const DEFAULT_AUTH_METHOD: ServiceTokenAuthMethod = 'client_secret_basic';
const DEFAULT_EXPIRY_MARGIN_MS = 30_000;
const DEFAULT_REFRESH_AHEAD_MS = 60_000;
const REQUIREMENT = 'is required when serviceTokens is set';
/** Characters outside the unreserved set would be mangled by a client that does not encode them. */
const CLIENT_ID = /^[A-Za-z0-9._~:@-]+$/;

/**
 * Validates `tenants.<name>.serviceTokens`. The secret is read as a credential: never echoed in a
 * problem, and whitespace in it (a trailing newline from a secrets file) is refused rather than
 * sent. `private_key_jwt` gets its own problem, since it is a real method this library lacks.
 */
export function validateServiceTokens(
  section: ConfigSection,
): ValidatedServiceTokensConfig | undefined {
  section.allowOnly(SERVICE_TOKENS_KEYS);
  section.require('hydraPublicUrl', REQUIREMENT);
  section.require('clientId', REQUIREMENT);
  section.require('clientSecret', REQUIREMENT);
  const hydraPublicUrl = section.url('hydraPublicUrl', { base: true });
  let clientId = section.string('clientId');
  if (clientId !== undefined && !CLIENT_ID.test(clientId)) {
    section.problem('clientId', 'must be a Hydra client id (letters, digits and . _ ~ : @ -)');
    clientId = undefined;
  }
  const clientSecret = section.credential('clientSecret');
  const authMethod = readAuthMethod(section);
  const expiryMarginMs = section.integer('expiryMarginMs', DEFAULT_EXPIRY_MARGIN_MS, { min: 0 });
  const refreshAheadMs = section.integer('refreshAheadMs', DEFAULT_REFRESH_AHEAD_MS, { min: 0 });
  if (hydraPublicUrl === undefined || clientId === undefined || clientSecret === undefined) {
    return undefined;
  }
  return { hydraPublicUrl, clientId, clientSecret, authMethod, expiryMarginMs, refreshAheadMs };
}

function readAuthMethod(section: ConfigSection): ServiceTokenAuthMethod {
  if (section.raw('authMethod') === 'private_key_jwt') {
    section.problem(
      'authMethod',
      "'private_key_jwt' is not supported yet (see docs/service-to-service.md); use 'client_secret_basic' or 'client_secret_post'",
    );
    return DEFAULT_AUTH_METHOD;
  }
  return section.oneOf('authMethod', AUTH_METHODS, DEFAULT_AUTH_METHOD);
}
