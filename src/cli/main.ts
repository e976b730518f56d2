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
import type { IamModuleOptions } from '../config/module-options.js';
import { RULES_OPTIONS } from './commands.js';
import { readRulesFile } from './rules-file.js';

const USAGE = `usage: nestjs-ory-iam rules --app <module file> [--export AppModule]
    --origin <match origin> --upstream <service url> (--out <file> | --check <file>)
    [--matching regexp|glob] [--global-prefix <prefix>] [--uri-versioning [--version-prefix v]
    [--default-version 1]] [--tenant <name>] [--session-authenticators cookie_session,bearer_token]
    [--id-prefix <id>] [--iam-options <IamModule options as JSON, for forRootAsync>]`;

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

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'rules') throw new UsageError(USAGE);
  const { values } = parseArgs({
    args: rest,
    options: RULES_OPTIONS,
  });
  const { app, origin, upstream, out, check, matching } = values;
  if (app === undefined || origin === undefined || upstream === undefined)
    throw new UsageError(USAGE);
  if ((out === undefined) === (check === undefined)) throw new UsageError(USAGE);
  if (matching !== 'regexp' && matching !== 'glob')
    throw new UsageError('--matching is regexp or glob');
  const options: AppAccessRulesOptions = {
    matchOrigin: origin,
    upstream,
    matching,
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
    ...(values['id-prefix'] !== undefined && { idPrefix: values['id-prefix'] }),
    // For forRootAsync apps, whose options factory is not run.
    ...(values['iam-options'] !== undefined && {
      iamOptions: JSON.parse(readFileSync(values['iam-options'], 'utf8')) as IamModuleOptions,
    }),
  };
  const module = await loadModule(app, values.export);
  if (out !== undefined) {
    const rules = await accessRulesForApp(module, options);
    // Written whole then renamed: Oathkeeper's file watcher never reads half a file.
    writeFileSync(`${out}.partial`, `${JSON.stringify(rules, null, 2)}\n`);
    renameSync(`${out}.partial`, out);
    console.log(`${rules.length} access rules written to ${out}`);
    return 0;
  }
  const file = check as string;
  const problems = await checkAccessRulesForApp(module, await readRulesFile(file), options);
  for (const problem of problems) console.error(problem);
  if (problems.length === 0) console.log(`${file} matches the routes of ${module.name}`);
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
