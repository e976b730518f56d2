#!/usr/bin/env node
// `nestjs-ory-iam rules`: Oathkeeper access rules generated from a Nest app's routes, or checked
// against them. Exit 0: written or no problem; 1: problems (one line each); 2: usage or load error.
import 'reflect-metadata';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Type } from '@nestjs/common';
import {
  type AppAccessRulesOptions,
  accessRulesForApp,
  checkAccessRulesForApp,
} from '../access-rules/app-rules.js';
import {
  type AppRulesTarget,
  accessRulesForApps,
  checkAccessRulesForApps,
  type SharedRulesOptions,
} from '../access-rules/apps-rules.js';
import type { IamModuleOptions } from '../config/module-options.js';
import { RULES_OPTIONS } from './commands.js';
import { readRulesFile } from './rules-file.js';

const USAGE = `usage: nestjs-ory-iam rules --app <module file> [--export AppModule]
    --upstream <service url> [--app ... --upstream ... for each app of one rules file]
    --origin <match origin> (--out <file> | --check <file>)
    [--matching regexp|glob] [--global-prefix <prefix>] [--uri-versioning [--version-prefix v]
    [--default-version 1]] [--tenant <name>] [--session-authenticators cookie_session,bearer_token]
    [--id-prefix <id>] [--iam-options <IamModule options as JSON, for forRootAsync>]
    [--introspection-url <Hydra admin /admin/oauth2/introspect, for service routes>]`;

class UsageError extends Error {}

async function loadModule(file: string, name: string): Promise<Type<unknown>> {
  const loaded = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  const fromDefault = loaded.default as Record<string, unknown> | undefined;
  const module = loaded[name] ?? fromDefault?.[name];
  if (typeof module !== 'function') {
    throw new UsageError(`${file} exports no ${name} (choose another with --export)`);
  }
  return module as Type<unknown>;
}

/** A repeatable option's value for each of `count` apps: given once for all, or once per app. */
function perApp(option: string, values: readonly string[] | undefined, count: number) {
  if (values === undefined || values.length === 0) return Array<undefined>(count).fill(undefined);
  if (values.length === 1) return Array<string>(count).fill(values[0] as string);
  if (values.length === count) return [...values];
  throw new UsageError(
    `--${option} is given ${values.length} times for ${count} apps: once, or once per --app`,
  );
}

type Values = ReturnType<
  typeof parseArgs<{ args: string[]; options: typeof RULES_OPTIONS }>
>['values'];

/** The options every app shares, besides the origin and the strategy. */
function sharedOptions(values: Values): Omit<AppAccessRulesOptions, 'matchOrigin' | 'upstream'> {
  return {
    ...(values['global-prefix'] !== undefined && { globalPrefix: values['global-prefix'] }),
    ...(values['uri-versioning'] && {
      uriVersioning: {
        ...(values['version-prefix'] !== undefined && { prefix: values['version-prefix'] }),
        ...(values['default-version'] !== undefined && {
          defaultVersion: values['default-version'],
        }),
      },
    }),
    ...(values.tenant !== undefined && { tenant: values.tenant }),
    ...(values['session-authenticators'] !== undefined && {
      sessionAuthenticators: values['session-authenticators'].split(','),
    }),
    // For forRootAsync apps, whose options factory is not run.
    ...(values['iam-options'] !== undefined && {
      iamOptions: JSON.parse(readFileSync(values['iam-options'], 'utf8')) as IamModuleOptions,
    }),
  };
}

async function targetsOf(values: Values): Promise<AppRulesTarget[]> {
  const apps = values.app ?? [];
  const upstreams = values.upstream ?? [];
  if (apps.length === 0 || upstreams.length !== apps.length) throw new UsageError(USAGE);
  const exports = perApp('export', values.export, apps.length);
  const idPrefixes = perApp('id-prefix', values['id-prefix'], apps.length);
  const shared = sharedOptions(values);
  const targets: AppRulesTarget[] = [];
  for (const [index, file] of apps.entries()) {
    const idPrefix = idPrefixes[index];
    targets.push({
      ...shared,
      module: await loadModule(file, exports[index] ?? 'AppModule'),
      upstream: upstreams[index] as string,
      ...(idPrefix !== undefined && { idPrefix }),
    });
  }
  return targets;
}

async function generate(targets: AppRulesTarget[], shared: SharedRulesOptions) {
  const [only] = targets;
  if (targets.length > 1 || only === undefined) return accessRulesForApps(targets, shared);
  const { module, ...options } = only;
  return accessRulesForApp(module, { ...options, ...shared });
}

// One app keeps the rules of other upstreams as other services' (overlaps only); several apps
// own the whole file, so a rule forwarding to none of them is reported.
async function check(targets: AppRulesTarget[], parsed: unknown, shared: SharedRulesOptions) {
  const [only] = targets;
  if (targets.length > 1 || only === undefined) {
    return checkAccessRulesForApps(targets, parsed, shared);
  }
  const { module, ...options } = only;
  return checkAccessRulesForApp(module, parsed, { ...options, ...shared });
}

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'rules') throw new UsageError(USAGE);
  const { values } = parseArgs({ args: rest, options: RULES_OPTIONS });
  const { origin, out, matching } = values;
  if (origin === undefined) throw new UsageError(USAGE);
  if ((out === undefined) === (values.check === undefined)) throw new UsageError(USAGE);
  if (matching !== 'regexp' && matching !== 'glob')
    throw new UsageError('--matching is regexp or glob');
  const introspectionUrl = values['introspection-url'];
  const shared: SharedRulesOptions = {
    matchOrigin: origin,
    matching,
    ...(introspectionUrl !== undefined && { introspectionUrl }),
  };
  const targets = await targetsOf(values);
  if (out !== undefined) {
    const rules = await generate(targets, shared);
    // Written whole then renamed: Oathkeeper's file watcher never reads half a file.
    writeFileSync(`${out}.partial`, `${JSON.stringify(rules, null, 2)}\n`);
    renameSync(`${out}.partial`, out);
    console.log(`${rules.length} access rules written to ${out}`);
    return 0;
  }
  const file = values.check as string;
  const problems = await check(targets, await readRulesFile(file), shared);
  for (const problem of problems) console.error(problem);
  if (problems.length === 0)
    console.log(`${file} matches the routes of ${(values.app ?? []).join(', ')}`);
  return problems.length === 0 ? 0 : 1;
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 2;
  },
);
