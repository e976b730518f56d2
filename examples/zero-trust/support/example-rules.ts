/**
 * The example's access rules: `config/access-rules.json` is written by the library's CLI from the
 * three apps (`npm run example:rules`), checked against them in CI
 * (test/e2e/zero-trust-rules.test.ts), and loaded by every Oathkeeper of the
 * example: docker-compose.yml's as committed, the local runner's retargeted to its ports.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Type } from '@nestjs/common';
import { routesAndProfile } from '../../../src/access-rules/app-rules.js';
import type { RouteEntry } from '../../../src/access-rules/route-table.js';
import type { AppRulesTarget, SharedRulesOptions } from '../../../src/index.js';
import { repoRoot } from '../../../test/support/ory/binaries.js';
import type { AppName } from './apps.js';

// Relative to the repository, where the CLI runs: the command it prints reads as one to type.
const exampleDir = 'examples/zero-trust';

/** The committed, generated rules file. */
export const exampleRulesFile = `${exampleDir}/config/access-rules.json`;

/** Oathkeeper's proxy as docker-compose.yml publishes it, under either loopback name. */
export const exampleRulesOrigin = (port = 4455) => `http://<{127.0.0.1,localhost}>:${port}`;

/**
 * Where docker-compose's Oathkeeper introspects services' Hydra tokens (Hydra's admin API), for
 * the service rules; the local runner points them at its own Hydra (`exampleRulesFor`).
 */
export const exampleIntrospectionUrl = 'http://hydra:4445/admin/oauth2/introspect';

/** config/oathkeeper.yml's `access_rules.matching_strategy`. */
export const exampleRulesMatching = 'glob' as const;

/** Each app, in the order the rules are written, and where docker-compose's Oathkeeper finds it. */
export const exampleRuleApps: ReadonlyArray<{ readonly app: AppName; readonly upstream: string }> =
  [
    { app: 'auth-bff', upstream: 'http://host.docker.internal:3000' },
    { app: 'orders-api', upstream: 'http://host.docker.internal:3001' },
    { app: 'inventory-api', upstream: 'http://host.docker.internal:3002' },
  ];

/** An app's compiled root module (support/apps.ts `buildApps()` writes it). */
export const appModuleFile = (app: AppName) => `${exampleDir}/.build/${app}/src/app.module.js`;

/** An app's compiled `AppModule`, as the CLI loads it (support/apps.ts `buildApps()` first). */
export function builtAppModule(app: AppName): Type<unknown> {
  const loaded = createRequire(import.meta.url)(join(repoRoot, appModuleFile(app))) as {
    AppModule: Type<unknown>;
  };
  return loaded.AppModule;
}

/** What the CLI reads, for the programmatic API: each app's module may be replaced. */
export function exampleRuleTargets(modules: Partial<Record<AppName, Type<unknown>>> = {}): {
  targets: AppRulesTarget[];
  shared: SharedRulesOptions;
} {
  return {
    targets: exampleRuleApps.map(({ app, upstream }) => ({
      module: modules[app] ?? builtAppModule(app),
      upstream,
      idPrefix: app,
    })),
    shared: {
      matchOrigin: exampleRulesOrigin(),
      matching: exampleRulesMatching,
      introspectionUrl: exampleIntrospectionUrl,
    },
  };
}

/** Every route of each app as the generator reads it, in the order of the rules file. */
export async function exampleRouteTables(): Promise<Array<{ app: AppName; routes: RouteEntry[] }>> {
  const { shared } = exampleRuleTargets();
  const tables: Array<{ app: AppName; routes: RouteEntry[] }> = [];
  for (const { app, upstream } of exampleRuleApps) {
    const { routes } = await routesAndProfile(builtAppModule(app), { upstream, ...shared });
    tables.push({ app, routes });
  }
  return tables;
}

/** The arguments of `nestjs-ory-iam rules` for the three apps, writing or checking `file`. */
export function exampleRulesArgs(mode: 'out' | 'check', file = exampleRulesFile): string[] {
  const apps = exampleRuleApps.flatMap(({ app, upstream }) => [
    '--app',
    appModuleFile(app),
    '--upstream',
    upstream,
    '--id-prefix',
    app,
  ]);
  return [
    'rules',
    '--matching',
    exampleRulesMatching,
    '--origin',
    exampleRulesOrigin(),
    '--introspection-url',
    exampleIntrospectionUrl,
    ...apps,
    `--${mode}`,
    file,
  ];
}

/**
 * Runs the package's CLI (dist/cli.js, as `npx nestjs-ory-iam` runs it) on the built apps. The
 * environment is bare: an app module reads it at import time (orders-api's REDIS_URL would open
 * a Redis connection), and the rules must not depend on the machine that writes them.
 */
export function runExampleRulesCli(
  mode: 'out' | 'check',
  file = exampleRulesFile,
): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['dist/cli.js', ...exampleRulesArgs(mode, file)], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
}

interface FileRule {
  readonly id: string;
  readonly upstream: { readonly url: string };
  readonly match: { readonly url: string };
  readonly authenticators: ReadonlyArray<Handler>;
  readonly mutators: ReadonlyArray<Handler>;
}

interface Handler {
  readonly handler: string;
  readonly config?: Readonly<Record<string, unknown>>;
}

/** The users' id_token issuer of docker-compose's Oathkeeper (config/oathkeeper.yml, inventory-api's `issuer`). */
export const exampleUserIssuer = 'http://127.0.0.1:4455/';

/**
 * The committed rules for an Oathkeeper on other ports: each app's rules forward to `upstreams`,
 * match the proxy's `port`, service rules introspect tokens at `introspectionUrl` (this run's
 * Hydra admin API) instead of docker-compose's, and users' id_tokens name `userIssuer`. Nothing else changes, so what runs is what was
 * generated.
 */
export function exampleRulesFor(
  port: number,
  upstreams: Readonly<Record<AppName, string>>,
  introspectionUrl: string,
  userIssuer: string,
): unknown[] {
  const rules = JSON.parse(readFileSync(join(repoRoot, exampleRulesFile), 'utf8')) as FileRule[];
  const origin = exampleRulesOrigin();
  return rules.map((rule) => {
    const app = exampleRuleApps.find((entry) => entry.upstream === rule.upstream.url)?.app;
    if (app === undefined || !rule.match.url.startsWith(origin)) {
      throw new Error(
        `${exampleRulesFile}: rule "${rule.id}" is not one npm run example:rules writes (upstream ${rule.upstream.url}, match ${rule.match.url})`,
      );
    }
    return {
      ...rule,
      authenticators: rule.authenticators.map((authenticator) =>
        authenticator.handler === 'oauth2_introspection'
          ? {
              ...authenticator,
              config: { ...authenticator.config, introspection_url: introspectionUrl },
            }
          : authenticator,
      ),
      // Users' tokens carry this run's issuer (the app is told it); the service issuer stays.
      mutators: rule.mutators.map((mutator) =>
        mutator.config?.issuer_url === exampleUserIssuer
          ? { ...mutator, config: { ...mutator.config, issuer_url: userIssuer } }
          : mutator,
      ),
      upstream: { ...rule.upstream, url: upstreams[app] },
      match: {
        ...rule.match,
        url: `${exampleRulesOrigin(port)}${rule.match.url.slice(origin.length)}`,
      },
    };
  });
}
