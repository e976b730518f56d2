import { customDomainUrl, deriveCloudEndpoints } from './cloud-urls.js';
import type { ConfigSection } from './config-section.js';
import { COOKIE_TRANSPORTS, DEFAULT_SESSION_COOKIE_NAME } from './defaults.js';
import type { ValidatedKetoConfig } from './keto-config.js';
import type { CloudConfig, TransportKind, ValidatedKratosConfig } from './tenant-config.js';
import { CSRF_KEY, validateCsrf } from './validate-csrf.js';
import { KETO_TUNING_KEYS, validateKetoTuning } from './validate-keto-options.js';
import { validateSessionCache } from './validate-session-cache.js';
import { readTenantBinding, TENANT_BINDING_KEY } from './validate-tenant-binding.js';

const CLOUD_KEYS = ['projectSlug', 'sdkUrl', 'customDomain', 'apiKey'] as const;
const DERIVED_KRATOS_KEYS = ['publicUrl', 'adminUrl', 'adminToken'] as const;
const DERIVED_KETO_KEYS = ['readUrl', 'writeUrl', 'adminToken'] as const;
/** A DNS label as Ory Network spells project slugs: lowercase letters, digits, inner hyphens. */
const PROJECT_SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** What a cloud tenant ends up with: the same concrete Kratos/Keto configs as a self-hosted one. */
export interface ValidatedCloudParts {
  readonly cloud: Readonly<CloudConfig>;
  readonly kratos: ValidatedKratosConfig;
  readonly keto: ValidatedKetoConfig;
}

function isWebUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'https:' || protocol === 'http:';
}

function readProjectLocation(cloud: ConfigSection): Omit<CloudConfig, 'apiKey'> | undefined {
  const projectSlug = cloud.string('projectSlug');
  const sdkUrl = cloud.url('sdkUrl', { base: true });
  if (cloud.has('projectSlug') && cloud.has('sdkUrl')) {
    cloud.problem('sdkUrl', "must not be set together with 'projectSlug'; set only one of them");
    return undefined;
  }
  if (!cloud.has('projectSlug') && !cloud.has('sdkUrl')) {
    cloud.problems.add(
      cloud.path,
      "needs 'projectSlug' or 'sdkUrl' to locate the Ory Network project",
    );
    return undefined;
  }
  if (projectSlug !== undefined && !PROJECT_SLUG.test(projectSlug)) {
    cloud.problem(
      'projectSlug',
      `must be a project slug such as 'playful-pike-1a2b3c' (lowercase letters, digits, hyphens), got ${JSON.stringify(projectSlug)}`,
    );
    return undefined;
  }
  const customDomain = cloud.string('customDomain');
  if (customDomain !== undefined && !isWebUrl(customDomainUrl(customDomain))) {
    cloud.problem('customDomain', 'must be a host name such as auth.example.com or an https URL');
    return undefined;
  }
  if (projectSlug === undefined && sdkUrl === undefined) return undefined;
  return { projectSlug, sdkUrl, customDomain };
}

/** In cloud mode the URLs and tokens are derived; only the session cookie's name may be set. */
function rejectDerivedSettings(
  tenant: ConfigSection,
  kratos: ConfigSection | undefined,
  keto: ConfigSection | undefined,
): void {
  for (const key of DERIVED_KRATOS_KEYS) {
    if (kratos?.has(key)) {
      kratos.problem(
        key,
        "is derived from 'cloud' in cloud mode; remove it (or use mode 'self-hosted')",
      );
    }
  }
  kratos?.allowOnly([
    ...DERIVED_KRATOS_KEYS,
    'sessionCookieName',
    'sessionCache',
    CSRF_KEY,
    TENANT_BINDING_KEY,
  ]);
  // The endpoints are derived; the tuning keys (batch size, decision cache) still apply.
  if (DERIVED_KETO_KEYS.some((key) => keto?.has(key))) {
    tenant.problem(
      'keto',
      "is derived from 'cloud' in cloud mode; remove it (or use mode 'self-hosted')",
    );
  } else {
    keto?.allowOnly([...DERIVED_KETO_KEYS, ...KETO_TUNING_KEYS]);
  }
}

/**
 * Validates a cloud tenant's `cloud` block and turns it into concrete Kratos and Keto configs,
 * with the API key as the admin token of both.
 */
export function validateCloud(
  tenant: ConfigSection,
  kratos: ConfigSection | undefined,
  transport: TransportKind | undefined,
): ValidatedCloudParts | undefined {
  const keto = tenant.section('keto');
  rejectDerivedSettings(tenant, kratos, keto);
  const sessionCache = validateSessionCache(kratos);
  const csrf = validateCsrf(kratos, true);
  const tenantBinding = readTenantBinding(kratos, transport);
  const ketoTuning = validateKetoTuning(keto);
  if (!tenant.require('cloud', "is required when mode is 'cloud'")) return undefined;
  const cloud = tenant.section('cloud');
  if (cloud === undefined) return undefined;
  cloud.allowOnly(CLOUD_KEYS);
  cloud.require('apiKey', "is required when mode is 'cloud'");
  const apiKey = cloud.credential('apiKey');
  const location = readProjectLocation(cloud);
  if (location === undefined || apiKey === undefined) return undefined;

  const endpoints = deriveCloudEndpoints(location);
  const sessionCookieName =
    kratos?.string('sessionCookieName', { token: true }) ?? endpoints.sessionCookieName;
  const readsCookie = transport !== undefined && COOKIE_TRANSPORTS.includes(transport);
  if (sessionCookieName === undefined && readsCookie) {
    tenant.problems.add(
      `${tenant.pathOf('kratos')}.sessionCookieName`,
      `is required in cloud mode with transport '${transport}' when the project slug cannot be read from cloud.sdkUrl`,
    );
    return undefined;
  }
  return {
    cloud: { ...location, apiKey },
    kratos: {
      publicUrl: endpoints.kratosPublicUrl,
      adminUrl: endpoints.kratosAdminUrl,
      adminToken: apiKey,
      sessionCookieName: sessionCookieName ?? DEFAULT_SESSION_COOKIE_NAME,
      csrf,
      ...(sessionCache !== undefined && { sessionCache }),
      ...(tenantBinding !== undefined && { tenantBinding }),
    },
    keto: {
      readUrl: endpoints.ketoReadUrl,
      writeUrl: endpoints.ketoWriteUrl,
      adminToken: apiKey,
      ...ketoTuning,
    },
  };
}
