import type { ParseArgsConfig } from 'node:util';

/** The options of `nestjs-ory-iam rules`, also read by the docs check (scripts/docs). */
export const RULES_OPTIONS = {
  // --app, --upstream, --export and --id-prefix repeat for several apps, paired in order.
  app: { type: 'string', multiple: true },
  export: { type: 'string', multiple: true },
  origin: { type: 'string' },
  upstream: { type: 'string', multiple: true },
  out: { type: 'string' },
  check: { type: 'string' },
  matching: { type: 'string', default: 'regexp' },
  'global-prefix': { type: 'string' },
  'uri-versioning': { type: 'boolean', default: false },
  'version-prefix': { type: 'string' },
  'default-version': { type: 'string' },
  tenant: { type: 'string' },
  'session-authenticators': { type: 'string' },
  'id-prefix': { type: 'string', multiple: true },
  'iam-options': { type: 'string' },
  'introspection-url': { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** Each command of the `nestjs-ory-iam` binary with its options. */
export const CLI_COMMANDS: Readonly<Record<string, NonNullable<ParseArgsConfig['options']>>> = {
  rules: RULES_OPTIONS,
};
