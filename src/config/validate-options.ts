import type { AuditSink } from '../audit/audit-sink.js';
import { deepFreeze } from '../common/deep-freeze.js';
import type { ReplayCache } from '../replay/replay-cache.js';
import { ConfigProblems, childPath } from './config-problems.js';
import { ConfigSection } from './config-section.js';
import {
  DEFAULT_GLOBAL,
  DEFAULT_TELEMETRY_ENABLED,
  DEFAULT_TELEMETRY_RECORD_SUBJECT,
} from './defaults.js';
import type { ValidatedIamOptions, ValidatedTelemetryOptions } from './module-options.js';
import type { ValidatedTenantConfig } from './tenant-config.js';
import { tenantNeighboursOf } from './tenant-neighbours.js';
import { validateErrorsOption, validateRolesOption } from './validate-guard-options.js';
import { validateSharedKratos } from './validate-shared-kratos.js';
import { validateSharedOAuth2 } from './validate-shared-oauth2.js';
import { validateTenant } from './validate-tenant.js';
import { validateTenantResolver } from './validate-tenant-resolver.js';

const OPTION_KEYS = [
  'tenants',
  'global',
  'defaultTenant',
  'tenantResolver',
  'replayCache',
  'auditSink',
  'roles',
  'errors',
  'telemetry',
] as const;
const TELEMETRY_KEYS = ['enabled', 'recordSubject'] as const;
const OPTION_HINTS: Readonly<Record<string, string>> = {
  isGlobal:
    " (isGlobal belongs next to useFactory in forRootAsync({ ... }), not in the factory's result)",
};
const REPLAY_CACHE_SHAPE = 'an object with seen(jti) and remember(jti, ttlMs) methods';
const AUDIT_SINK_SHAPE = 'an object with an emit(event) method';

function tenantNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'tenant names must not be empty';
  if (name.includes(':')) {
    return "tenant names must not contain ':' (it separates the tenant from the key in shared caches)";
  }
  return undefined;
}

function validateTenants(tenants: ConfigSection): Record<string, ValidatedTenantConfig> {
  if (tenants.keys().length === 0) {
    tenants.problems.add(tenants.path, 'must configure at least one tenant');
  }
  const neighbours = tenantNeighboursOf(tenants);
  const validated: [string, ValidatedTenantConfig][] = [];
  for (const name of tenants.keys()) {
    const path = childPath(tenants.path, name);
    const nameProblem = tenantNameProblem(name);
    if (nameProblem !== undefined) {
      tenants.problems.add(path, nameProblem);
      continue;
    }
    const tenant = validateTenant(name, tenants.raw(name), path, tenants.problems, neighbours);
    if (tenant !== undefined) validated.push([name, tenant]);
  }
  const byName = Object.fromEntries(validated);
  validateSharedKratos(byName, tenants.path, tenants.problems);
  validateSharedOAuth2(byName, tenants.path, tenants.problems);
  return byName;
}

/** The configured default, else the only tenant; several tenants need a default or a resolver. */
function validateDefaultTenant(
  options: ConfigSection,
  tenantNames: readonly string[],
): string | undefined {
  const defaultTenant = options.string('defaultTenant');
  if (defaultTenant !== undefined && !tenantNames.includes(defaultTenant)) {
    const configured = tenantNames.map((name) => `'${name}'`).join(', ');
    options.problem(
      'defaultTenant',
      `names tenant '${defaultTenant}', which is not configured (configured: ${configured})`,
    );
    return undefined;
  }
  if (tenantNames.length > 1 && !options.has('defaultTenant') && !options.has('tenantResolver')) {
    options.problem(
      'tenantResolver',
      `is required with several tenants and no defaultTenant (tenants: ${tenantNames.join(', ')})`,
    );
  }
  return defaultTenant ?? (tenantNames.length === 1 ? tenantNames[0] : undefined);
}

function validateTelemetry(telemetry: ConfigSection | undefined): ValidatedTelemetryOptions {
  telemetry?.allowOnly(TELEMETRY_KEYS);
  return Object.freeze({
    enabled: telemetry?.boolean('enabled', DEFAULT_TELEMETRY_ENABLED) ?? DEFAULT_TELEMETRY_ENABLED,
    recordSubject:
      telemetry?.boolean('recordSubject', DEFAULT_TELEMETRY_RECORD_SUBJECT) ??
      DEFAULT_TELEMETRY_RECORD_SUBJECT,
  });
}

/**
 * Validates the options of `IamModule.forRoot()` (or what `forRootAsync()`'s factory returned),
 * applies every default and returns them deeply frozen. Throws one `IamConfigurationError`
 * listing every problem by path; secrets are never echoed in it. A `replayCache`, `auditSink`,
 * `errors.map` or function `tenantResolver` is kept as given (not frozen): it is the caller's live
 * object.
 */
export function validateIamOptions(input: unknown): ValidatedIamOptions {
  const problems = new ConfigProblems();
  const options = ConfigSection.of(input, '', problems);
  if (options === undefined) return problems.fail();

  options.allowOnly(OPTION_KEYS, OPTION_HINTS);
  options.require(
    'tenants',
    "is required: configure at least one tenant, e.g. { default: { transport: 'oathkeeper', ... } }",
  );
  const tenantsSection = options.section('tenants');
  const tenants = tenantsSection === undefined ? {} : validateTenants(tenantsSection);
  const tenantNames = tenantsSection?.keys() ?? [];
  const global = options.boolean('global', DEFAULT_GLOBAL);
  const defaultTenant = validateDefaultTenant(options, tenantNames);
  const tenantResolver = validateTenantResolver(options, tenantNames);
  const replayCache = options.implementation<ReplayCache>(
    'replayCache',
    ['seen', 'remember', 'claim?'],
    REPLAY_CACHE_SHAPE,
  );
  const auditSink = options.implementation<AuditSink>('auditSink', ['emit'], AUDIT_SINK_SHAPE);
  const roles = validateRolesOption(options);
  const errors = validateErrorsOption(options);
  const telemetry = validateTelemetry(options.section('telemetry'));
  problems.throwIfAny();

  return Object.freeze({
    tenants: deepFreeze(tenants),
    global,
    telemetry,
    ...(defaultTenant !== undefined && { defaultTenant }),
    ...(tenantResolver !== undefined && { tenantResolver: deepFreeze(tenantResolver) }),
    ...(replayCache !== undefined && { replayCache }),
    ...(auditSink !== undefined && { auditSink }),
    roles,
    errors,
  });
}
