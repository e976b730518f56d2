import type { ConfigSection } from './config-section.js';
import { DEFAULT_KRATOS_TENANT_BINDING, KRATOS_TRANSPORTS } from './defaults.js';
import { describeValue } from './describe-value.js';
import type { KratosTenantBinding, TransportKind } from './tenant-config.js';

export const TENANT_BINDING_KEY = 'tenantBinding';

/** `metadata_public.<path>` or `traits.<path>`, every segment non-empty. */
const IDENTITY_PATH = /^(?:metadata_public|traits)(?:\.[^.]+)+$/;

function isTenantBinding(value: unknown): value is KratosTenantBinding {
  if (typeof value !== 'string') return false;
  return value === 'kratos-url' || value === 'none' || IDENTITY_PATH.test(value);
}

/**
 * Validates `kratos.tenantBinding`; absent → `'kratos-url'` (a tenant with a Kratos of its own
 * needs no setting; tenants sharing one are refused at boot, see validateSharedKratos). Only the
 * transports that ask Kratos
 * use it, so on any other it is undefined, and setting it is a problem: it would be silently
 * ignored, which hides a mistake.
 */
export function readTenantBinding(
  kratos: ConfigSection | undefined,
  transport: TransportKind | undefined,
): KratosTenantBinding | undefined {
  const isSet = kratos?.has(TENANT_BINDING_KEY) === true;
  if (transport === undefined || !KRATOS_TRANSPORTS.includes(transport)) {
    if (isSet && transport !== undefined) {
      kratos?.problem(
        TENANT_BINDING_KEY,
        `is only used with the transports that ask Kratos (cookie, bearer, cookie-or-bearer); remove it (transport is '${transport}')`,
      );
    }
    return undefined;
  }
  if (kratos === undefined || !isSet) return DEFAULT_KRATOS_TENANT_BINDING;
  const value = kratos.raw(TENANT_BINDING_KEY);
  if (isTenantBinding(value)) return value;
  // Kratos' JSON spells it metadata_public, even where this library's identity says metadataPublic.
  const hint =
    typeof value === 'string' && value.startsWith('metadataPublic.')
      ? ` (did you mean '${value.replace('metadataPublic.', 'metadata_public.')}'?)`
      : '';
  kratos.problem(
    TENANT_BINDING_KEY,
    `must be 'kratos-url', 'none' or a dot path into metadata_public or traits such as 'metadata_public.tenant', got ${describeValue(value, false)}${hint}`,
  );
  return DEFAULT_KRATOS_TENANT_BINDING;
}
