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
 * Validates `kratos.csrf`; absent means on, trusting no origin but the request's own. Each
 * trusted origin must be exactly an origin (`https://app.example.com`, no path, no trailing slash),
 * since it is compared with the browser's `Origin` header as a string.
 */
export function validateCsrf(kratos: ConfigSection | undefined): ValidatedCsrfConfig {
  const csrf = kratos?.section(CSRF_KEY);
  if (csrf === undefined) return { enabled: true, trustedOrigins: [] };
  csrf.allowOnly(CSRF_KEYS);
  const trustedOrigins = csrf.has('trustedOrigins')
    ? (csrf.stringList('trustedOrigins') ?? [])
    : [];
  trustedOrigins.forEach((origin, index) => {
    if (!isOrigin(origin)) {
      csrf.problems.add(
        childPath(csrf.pathOf('trustedOrigins'), index),
        `must be an origin such as 'https://app.example.com' (scheme, host and port only), got '${origin}'`,
      );
    }
  });
  return { enabled: csrf.boolean('enabled', true), trustedOrigins };
}
