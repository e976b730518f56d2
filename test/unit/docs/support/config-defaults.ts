/**
 * What the validator makes of each option when it is left out, found by running it: the
 * documented default must be what `validateIamOptions` really applies, not what someone wrote
 * down once.
 */
import { validateIamOptions } from '../../../../src/config/validate-options.js';
import { IamConfigurationError } from '../../../../src/errors/iam-errors.js';

export type OptionDefault =
  /** Boot fails without it (in the tenant used for its block). */
  | { readonly kind: 'required' }
  /** A value the validator fills in. */
  | { readonly kind: 'value'; readonly value: string | number | boolean | readonly string[] }
  /** Absent stays absent (off, none, derived): the docs say in words what that means. */
  | { readonly kind: 'none' };

/**
 * One valid configuration in which every block is present, so each option can be left out in
 * turn. A `*` tenant path is read from the tenant whose transport or mode uses that block.
 */
function baseOptions(): Record<string, unknown> {
  return {
    tenants: {
      sessions: {
        transport: 'cookie-or-bearer',
        kratos: {
          publicUrl: 'http://127.0.0.1:4433',
          sessionCache: { enabled: true },
          csrf: {},
        },
        keto: { readUrl: 'http://127.0.0.1:4466', decisionCache: { enabled: true } },
        claims: {},
        http: {},
      },
      gateway: {
        transport: 'oathkeeper',
        oathkeeper: {
          jwks: { url: 'http://127.0.0.1:4456/.well-known/jwks.json' },
          audience: 'api',
          replayProtection: { enabled: true },
          csrf: {},
        },
      },
      cloud: {
        mode: 'cloud',
        transport: 'bearer',
        cloud: { projectSlug: 'playful-pike-1a2b3c', apiKey: 'ory_pat_0123456789abcdef' },
      },
    },
    defaultTenant: 'sessions',
    tenantResolver: { header: 'X-Tenant' },
  };
}

function tenantFor(path: readonly string[]): string {
  if (path[0] === 'oathkeeper') return 'gateway';
  if (path[0] === 'cloud') return 'cloud';
  return 'sessions';
}

/** `tenants.*.kratos.publicUrl` → `['tenants', 'sessions', 'kratos', 'publicUrl']`. */
function concretePath(path: string): string[] {
  const segments = path.split('.');
  if (segments[0] !== 'tenants' || segments[1] !== '*') return segments;
  return ['tenants', tenantFor(segments.slice(2)), ...segments.slice(2)];
}

function valueAt(root: unknown, segments: readonly string[]): unknown {
  let value = root;
  for (const segment of segments) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

function withoutOption(options: Record<string, unknown>, segments: readonly string[]): void {
  const parent = valueAt(options, segments.slice(0, -1));
  if (typeof parent === 'object' && parent !== null) {
    delete (parent as Record<string, unknown>)[segments[segments.length - 1] ?? ''];
  }
}

/** What leaving the option at `path` out gives. */
export function defaultOf(path: string): OptionDefault {
  const segments = concretePath(path);
  const options = baseOptions();
  withoutOption(options, segments);
  let validated: unknown;
  try {
    validated = validateIamOptions(options);
  } catch (error) {
    if (error instanceof IamConfigurationError) return { kind: 'required' };
    throw error;
  }
  const value = valueAt(validated, segments);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return { kind: 'value', value };
  }
  if (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string')) {
    return { kind: 'value', value };
  }
  return { kind: 'none' };
}

/** How configuration.md writes a default: `5000`, `'X-User'`, `['RS256']`, `true`. */
export function formatDefault(value: string | number | boolean | readonly string[]): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map((item) => `'${item}'`).join(', ')}]`;
  return String(value);
}
