import type { ConfigSection } from './config-section.js';
import {
  ALLOWED_JWT_ALGORITHMS,
  DEFAULT_CLOCK_SKEW_MS,
  DEFAULT_IDENTITY_HEADER,
  DEFAULT_JWKS_COOLDOWN_MS,
  DEFAULT_JWKS_MAX_BYTES,
  DEFAULT_JWKS_MAX_KEYS,
  DEFAULT_JWKS_MAX_STALE_MS,
  DEFAULT_JWKS_REFRESH_INTERVAL_MS,
  DEFAULT_JWKS_TIMEOUT_MS,
  DEFAULT_JWT_ALGORITHMS,
  DEFAULT_MAX_TOKEN_BYTES,
  DEFAULT_REPLAY_MAX_ENTRIES,
  DEFAULT_REPLAY_MAX_SUBJECT_SHARE_PERCENT,
  DEFAULT_REPLAY_MAX_TOKEN_AGE_MS,
  DEFAULT_REPLAY_PROTECTION_ENABLED,
  DEFAULT_REPLAY_TTL_MS,
  DEFAULT_SIGNATURE_HEADER,
  DEFAULT_VERIFIER,
  MAX_REPLAY_ENTRIES,
  MIN_HMAC_SECRET_LENGTH,
} from './defaults.js';
import type {
  JwtAlgorithm,
  ValidatedJwksConfig,
  ValidatedOathkeeperConfig,
} from './tenant-config.js';
import { CSRF_KEY, validateCsrf } from './validate-csrf.js';

const OATHKEEPER_KEYS = [
  'verifier',
  'jwks',
  'issuer',
  'serviceIssuer',
  'audience',
  'clockSkewMs',
  'replayProtection',
  'identityHeader',
  'signatureHeader',
  'hmacSecret',
  'maxTokenBytes',
  CSRF_KEY,
] as const;
const JWKS_KEYS = [
  'url',
  'algorithms',
  'refreshIntervalMs',
  'cooldownMs',
  'timeoutMs',
  'maxBytes',
  'maxKeys',
  'maxStaleMs',
] as const;
const REPLAY_KEYS = [
  'enabled',
  'ttlMs',
  'maxTokenAgeMs',
  'maxEntries',
  'maxSubjectSharePercent',
] as const;
const VERIFIERS = ['jwt', 'hmac'] as const;

const JWT_REQUIREMENT = "is required when transport is 'oathkeeper' and verifier is 'jwt'";
const HMAC_REQUIREMENT = "is required when transport is 'oathkeeper' and verifier is 'hmac'";

function algorithmProblem(value: unknown): string {
  if (typeof value === 'string' && value.toLowerCase() === 'none') {
    return "'none' is never accepted: it would accept unsigned tokens";
  }
  if (typeof value === 'string' && /^HS\d+$/i.test(value)) {
    return `'${value}' is an HMAC algorithm and is never accepted for JWTs (anyone with the published key could sign); use verifier 'hmac' for the shared-secret mode`;
  }
  const allowed = ALLOWED_JWT_ALGORITHMS.join(', ');
  const shown = typeof value === 'string' ? `'${value}'` : `a ${typeof value}`;
  return `${shown} is not an accepted algorithm (accepted: ${allowed})`;
}

function readAlgorithms(jwks: ConfigSection): readonly JwtAlgorithm[] {
  if (!jwks.has('algorithms')) return DEFAULT_JWT_ALGORITHMS;
  const value = jwks.raw('algorithms');
  if (!Array.isArray(value) || value.length === 0) {
    jwks.problem('algorithms', `must be a non-empty array such as ['RS256']`);
    return DEFAULT_JWT_ALGORITHMS;
  }
  const accepted: JwtAlgorithm[] = [];
  value.forEach((item: unknown, index) => {
    const match = ALLOWED_JWT_ALGORITHMS.find((algorithm) => algorithm === item);
    if (match === undefined) {
      jwks.problems.add(`${jwks.pathOf('algorithms')}[${index}]`, algorithmProblem(item));
    } else if (!accepted.includes(match)) {
      accepted.push(match);
    }
  });
  return accepted;
}

/**
 * Keys older than `maxStaleMs` stop verifying, so a bound at or below the refresh interval would
 * turn a healthy JWKS into 503s between two refreshes. Compared only when both values are valid, so
 * a bad one is not reported twice.
 */
function readRefreshAndStaleBound(jwks: ConfigSection): {
  refreshIntervalMs: number;
  maxStaleMs: number;
} {
  const before = jwks.problems.count;
  const refreshIntervalMs = jwks.integer('refreshIntervalMs', DEFAULT_JWKS_REFRESH_INTERVAL_MS);
  const maxStaleMs = jwks.integer('maxStaleMs', DEFAULT_JWKS_MAX_STALE_MS);
  if (jwks.problems.count === before && maxStaleMs <= refreshIntervalMs) {
    jwks.problem(
      'maxStaleMs',
      `must be greater than refreshIntervalMs (${refreshIntervalMs}), got ${maxStaleMs}: keys would stop verifying between two refreshes`,
    );
  }
  return { refreshIntervalMs, maxStaleMs };
}

/** Validates a `jwks` block (Oathkeeper's or Hydra's) and applies its defaults. */
export function readJwks(jwks: ConfigSection): ValidatedJwksConfig | undefined {
  jwks.allowOnly(JWKS_KEYS);
  jwks.require('url');
  const url = jwks.url('url', { base: false });
  const algorithms = readAlgorithms(jwks);
  const { refreshIntervalMs, maxStaleMs } = readRefreshAndStaleBound(jwks);
  const validated: ValidatedJwksConfig = {
    url: url ?? '',
    algorithms,
    refreshIntervalMs,
    cooldownMs: jwks.integer('cooldownMs', DEFAULT_JWKS_COOLDOWN_MS),
    timeoutMs: jwks.integer('timeoutMs', DEFAULT_JWKS_TIMEOUT_MS),
    maxBytes: jwks.integer('maxBytes', DEFAULT_JWKS_MAX_BYTES, { unit: 'bytes' }),
    maxKeys: jwks.integer('maxKeys', DEFAULT_JWKS_MAX_KEYS, { unit: 'keys' }),
    maxStaleMs,
  };
  return url === undefined ? undefined : validated;
}

function readReplayProtection(
  oathkeeper: ConfigSection,
): ValidatedOathkeeperConfig['replayProtection'] {
  const defaults = {
    enabled: DEFAULT_REPLAY_PROTECTION_ENABLED,
    ttlMs: DEFAULT_REPLAY_TTL_MS,
    maxTokenAgeMs: DEFAULT_REPLAY_MAX_TOKEN_AGE_MS,
    maxEntries: DEFAULT_REPLAY_MAX_ENTRIES,
    maxSubjectSharePercent: DEFAULT_REPLAY_MAX_SUBJECT_SHARE_PERCENT,
  };
  const replay = oathkeeper.section('replayProtection');
  if (replay === undefined) return defaults;
  replay.allowOnly(REPLAY_KEYS);
  replay.require('enabled', 'is required (true or false)');
  return {
    enabled: replay.boolean('enabled', defaults.enabled),
    ttlMs: replay.integer('ttlMs', defaults.ttlMs),
    maxTokenAgeMs:
      replay.raw('maxTokenAgeMs') === false
        ? false
        : replay.integer('maxTokenAgeMs', defaults.maxTokenAgeMs, {
            unit: 'milliseconds, or false for no limit',
          }),
    maxEntries: replay.integer('maxEntries', defaults.maxEntries, {
      max: MAX_REPLAY_ENTRIES,
      unit: 'token ids',
    }),
    maxSubjectSharePercent: replay.integer(
      'maxSubjectSharePercent',
      defaults.maxSubjectSharePercent,
      { max: 100, unit: 'percent' },
    ),
  };
}

/** Reports settings of the other verifier: they would be silently ignored, which hides a mistake. */
function rejectOtherVerifierSettings(oathkeeper: ConfigSection, verifier: 'jwt' | 'hmac'): void {
  if (verifier === 'jwt' && oathkeeper.has('hmacSecret')) {
    oathkeeper.problem(
      'hmacSecret',
      "is only used with verifier 'hmac'; remove it (verifier is 'jwt')",
    );
  }
  if (verifier === 'hmac') {
    for (const key of ['jwks', 'serviceIssuer']) {
      if (oathkeeper.has(key)) {
        oathkeeper.problem(key, "is only used with verifier 'jwt'; remove it (verifier is 'hmac')");
      }
    }
  }
}

/**
 * The issuer that marks machine callers' tokens. It needs `issuer` too: without it any other `iss`
 * is a user's, so a service rule whose `issuer_url` misspells this one would turn machines into
 * users. Equal to `issuer`, every user would be taken for a service.
 */
function readServiceIssuer(
  oathkeeper: ConfigSection,
  verifier: 'jwt' | 'hmac',
  issuer: string | undefined,
): string | undefined {
  if (verifier !== 'jwt' || !oathkeeper.has('serviceIssuer')) return undefined;
  const serviceIssuer = oathkeeper.url('serviceIssuer', { base: false });
  if (!oathkeeper.has('issuer')) {
    oathkeeper.problem(
      'issuer',
      "is required when serviceIssuer is set: without it, a token from a service rule whose issuer_url is mistyped would be taken as a user's",
    );
  } else if (serviceIssuer !== undefined && serviceIssuer === issuer) {
    oathkeeper.problem(
      'serviceIssuer',
      'must differ from issuer: it is what tells a machine caller from a user',
    );
  }
  return serviceIssuer;
}

/** Validates `tenants.<name>.oathkeeper` (required for `transport: 'oathkeeper'`) and applies its defaults. */
export function validateOathkeeper(oathkeeper: ConfigSection): ValidatedOathkeeperConfig {
  oathkeeper.allowOnly(OATHKEEPER_KEYS);
  const verifier = oathkeeper.oneOf('verifier', VERIFIERS, DEFAULT_VERIFIER);
  rejectOtherVerifierSettings(oathkeeper, verifier);

  let jwks: ValidatedJwksConfig | undefined;
  let hmacSecret: string | undefined;
  if (verifier === 'jwt') {
    oathkeeper.require('jwks', JWT_REQUIREMENT);
    oathkeeper.require('audience', JWT_REQUIREMENT);
    const jwksSection = oathkeeper.section('jwks');
    jwks = jwksSection === undefined ? undefined : readJwks(jwksSection);
  } else {
    oathkeeper.require('hmacSecret', HMAC_REQUIREMENT);
    hmacSecret = oathkeeper.string('hmacSecret', {
      secret: true,
      minLength: MIN_HMAC_SECRET_LENGTH,
    });
  }

  const issuer = oathkeeper.string('issuer');
  return {
    verifier,
    jwks,
    issuer,
    serviceIssuer: readServiceIssuer(oathkeeper, verifier, issuer),
    audience: oathkeeper.string('audience'),
    clockSkewMs: oathkeeper.integer('clockSkewMs', DEFAULT_CLOCK_SKEW_MS, { min: 0 }),
    replayProtection: readReplayProtection(oathkeeper),
    identityHeader: oathkeeper.string('identityHeader', { token: true }) ?? DEFAULT_IDENTITY_HEADER,
    signatureHeader:
      oathkeeper.string('signatureHeader', { token: true }) ?? DEFAULT_SIGNATURE_HEADER,
    hmacSecret,
    maxTokenBytes: oathkeeper.integer('maxTokenBytes', DEFAULT_MAX_TOKEN_BYTES, { unit: 'bytes' }),
    csrf: validateCsrf(oathkeeper, false),
  };
}
