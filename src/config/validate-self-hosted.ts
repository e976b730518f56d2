import type { ConfigSection } from './config-section.js';
import { DEFAULT_SESSION_COOKIE_NAME, KRATOS_TRANSPORTS } from './defaults.js';
import type { ValidatedKetoConfig } from './keto-config.js';
import type { TransportKind, ValidatedKratosConfig } from './tenant-config.js';
import { CSRF_KEY, validateCsrf } from './validate-csrf.js';
import { KETO_TUNING_KEYS, validateKetoTuning } from './validate-keto-options.js';
import { validateSessionCache } from './validate-session-cache.js';
import { readTenantBinding, TENANT_BINDING_KEY } from './validate-tenant-binding.js';

const KRATOS_KEYS = [
  'publicUrl',
  'adminUrl',
  'adminToken',
  'sessionCookieName',
  'sessionCache',
  CSRF_KEY,
  TENANT_BINDING_KEY,
] as const;
const KETO_KEYS = ['readUrl', 'writeUrl', 'adminToken', ...KETO_TUNING_KEYS] as const;

/**
 * Validates a self-hosted tenant's `kratos` block. It is required by the transports that ask
 * Kratos about every request; with `transport: 'oathkeeper'` it is optional (only the
 * services that call Kratos need it).
 */
export function validateKratos(
  tenant: ConfigSection,
  kratos: ConfigSection | undefined,
  transport: TransportKind | undefined,
): ValidatedKratosConfig | undefined {
  if (kratos === undefined) {
    if (transport !== undefined && KRATOS_TRANSPORTS.includes(transport) && !tenant.has('kratos')) {
      tenant.problems.add(
        `${tenant.pathOf('kratos')}.publicUrl`,
        `is required when transport is '${transport}' in self-hosted mode`,
      );
    }
    return undefined;
  }
  kratos.allowOnly(KRATOS_KEYS);
  kratos.require('publicUrl');
  const publicUrl = kratos.url('publicUrl', { base: true });
  const adminUrl = kratos.url('adminUrl', { base: true });
  const adminToken = kratos.credential('adminToken');
  if (kratos.has('adminToken') && !kratos.has('adminUrl')) {
    kratos.problem('adminToken', 'is only sent to the admin API, but adminUrl is not set');
  }
  const sessionCookieName =
    kratos.string('sessionCookieName', { token: true }) ?? DEFAULT_SESSION_COOKIE_NAME;
  const sessionCache = validateSessionCache(kratos);
  const csrf = validateCsrf(kratos, true);
  const tenantBinding = readTenantBinding(kratos, transport);
  if (publicUrl === undefined) return undefined;
  return {
    publicUrl,
    adminUrl,
    adminToken,
    sessionCookieName,
    csrf,
    ...(sessionCache !== undefined && { sessionCache }),
    ...(tenantBinding !== undefined && { tenantBinding }),
  };
}

/** Validates a self-hosted tenant's optional `keto` block. */
export function validateKeto(keto: ConfigSection | undefined): ValidatedKetoConfig | undefined {
  if (keto === undefined) return undefined;
  keto.allowOnly(KETO_KEYS);
  keto.require('readUrl');
  const readUrl = keto.url('readUrl', { base: true });
  const writeUrl = keto.url('writeUrl', { base: true });
  const adminToken = keto.credential('adminToken');
  const tuning = validateKetoTuning(keto);
  if (readUrl === undefined) return undefined;
  return { readUrl, writeUrl, adminToken, ...tuning };
}
