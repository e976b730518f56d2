import type { ParseArgsConfig } from 'node:util';

/** The options of `nestjs-ory-iam rules`, also read by the docs check (scripts/docs). */
export const RULES_OPTIONS = {
  app: { type: 'string' },
  export: { type: 'string', default: 'AppModule' },
  origin: { type: 'string' },
  upstream: { type: 'string' },
  out: { type: 'string' },
  check: { type: 'string' },
  matching: { type: 'string', default: 'regexp' },
  'global-prefix': { type: 'string' },
  'uri-versioning': { type: 'boolean', default: false },
  'version-prefix': { type: 'string' },
  'default-version': { type: 'string' },
  tenant: { type: 'string' },
  'session-authenticators': { type: 'string' },
  'id-prefix': { type: 'string' },
  'iam-options': { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** Each command of the `nestjs-ory-iam` binary with its options. */
export const CLI_COMMANDS: Readonly<Record<string, NonNullable<ParseArgsConfig['options']>>> = {
  rules: RULES_OPTIONS,
};
