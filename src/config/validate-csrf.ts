import { childPath } from './config-problems.js';
import type { ConfigSection } from './config-section.js';
import type { ValidatedCsrfConfig } from './tenant-config.js';

export const CSRF_KEY = 'csrf';
const CSRF_KEYS = ['enabled', 'trustedOrigins'] as const;

function isOrigin(value: string): boolean {
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}

/**
 * Validates the `csrf` block of `kratos` (absent: on) or `oathkeeper` (absent: off), trusting no
 * origin but the request's own unless told. Each
 * trusted origin must be exactly an origin (`https://app.example.com`, no path, no trailing slash),
 * since it is compared with the browser's `Origin` header as a string.
 */
export function validateCsrf(
  parent: ConfigSection | undefined,
  enabledByDefault: boolean,
): ValidatedCsrfConfig {
  const csrf = parent?.section(CSRF_KEY);
  if (csrf === undefined) return { enabled: enabledByDefault, trustedOrigins: [] };
  csrf.allowOnly(CSRF_KEYS);
  // Absent or invalid (already reported): no origin trusted.
  const trustedOrigins = csrf.stringList('trustedOrigins') ?? [];
  trustedOrigins.forEach((origin, index) => {
    if (!isOrigin(origin)) {
      csrf.problems.add(
        childPath(csrf.pathOf('trustedOrigins'), index),
        `must be an origin such as 'https://app.example.com' (scheme, host and port only), got '${origin}'`,
      );
    }
  });
  return { enabled: csrf.boolean('enabled', enabledByDefault), trustedOrigins };
}
