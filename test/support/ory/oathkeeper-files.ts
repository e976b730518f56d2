import { execFile } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './binaries.js';
import { renderTemplate } from './render.js';

const run = promisify(execFile);

/** Where a proxied path prefix goes and who may pass. */
export interface OathkeeperRoute {
  /** Upstream base URL, e.g. `http://127.0.0.1:3001`. */
  readonly upstream: string;
  /**
   * `session` (default): a Kratos session (cookie or bearer token) is required; the upstream gets
   * an id_token in `Authorization: Bearer` and the subject in `X-User`.
   * `anonymous`: anyone passes as subject `guest`; the request is forwarded unchanged.
   */
  readonly access?: 'session' | 'anonymous';
}

/** Path prefix (`/orders`) -> upstream URL or route. */
export type OathkeeperRoutes = Readonly<Record<string, string | OathkeeperRoute>>;

/** `per-request` adds `"jti": "{{ uuidv4 }}"`, which defeats Oathkeeper's id_token cache. */
export type ClaimsTemplate = 'per-request' | 'cached';

const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** The access rules for the routes, as Oathkeeper reads them from a file repository. */
export function accessRules(routes: OathkeeperRoutes, proxyOrigin: string): unknown[] {
  return Object.entries(routes).map(([prefix, target]) => {
    const route = typeof target === 'string' ? { upstream: target } : target;
    if (!prefix.startsWith('/') || prefix.endsWith('/')) {
      throw new Error(`route prefix "${prefix}" must start with "/" and not end with one`);
    }
    const session = (route.access ?? 'session') === 'session';
    return {
      id: `route:${prefix}`,
      upstream: { url: route.upstream, preserve_host: false },
      // Matches the prefix itself and everything below it, not "/ordersX".
      match: { url: `${proxyOrigin}${prefix}<{,/**}>`, methods },
      authenticators: session
        ? [{ handler: 'cookie_session' }, { handler: 'bearer_token' }]
        : [{ handler: 'anonymous' }],
      authorizer: { handler: 'allow' },
      mutators: session ? [{ handler: 'id_token' }, { handler: 'header' }] : [{ handler: 'noop' }],
    };
  });
}

/** Writes the rules atomically so Oathkeeper's file watcher never sees half a file. */
export function writeAccessRules(path: string, rules: readonly unknown[]): void {
  writeFileSync(`${path}.partial`, JSON.stringify(rules, null, 2));
  renameSync(`${path}.partial`, path);
}

/** The claims template as a JSON string, ready for the `claims:` key of oathkeeper.yml. */
export function claimsTemplate(
  kind: ClaimsTemplate,
  audience: readonly string[],
  tenant: string,
): string {
  const template = readFileSync(join(repoRoot, `test/ory/oathkeeper/claims.${kind}.tmpl`), 'utf8');
  return JSON.stringify(
    renderTemplate(template, { AUDIENCE: JSON.stringify(audience), TENANT: tenant }),
  );
}

interface PrivateJwks {
  keys: Array<{ kid?: string } & Record<string, unknown>>;
}

/** A fresh private RS256 key from `oathkeeper credentials generate`. */
export async function generateSigningKey(oathkeeper: string): Promise<PrivateJwks['keys'][number]> {
  const { stdout } = await run(oathkeeper, ['credentials', 'generate', '--alg', 'RS256'], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  const jwks = JSON.parse(stdout) as PrivateJwks;
  const key = jwks.keys[0];
  if (key === undefined || typeof key.kid !== 'string') {
    throw new Error('oathkeeper credentials generate printed no key with a kid');
  }
  return key;
}

/**
 * Adds a key to the signing JWKS file. Oathkeeper v0.40.9 signs with the LAST private key of the
 * set (its signer walks every key and keeps the last private one), so `signing` appends the key
 * and otherwise it goes first: published at /.well-known/jwks.json, not used yet.
 */
export function addKeyToJwks(
  path: string,
  key: PrivateJwks['keys'][number],
  signing: boolean,
): void {
  const { keys } = existsSync(path)
    ? (JSON.parse(readFileSync(path, 'utf8')) as PrivateJwks)
    : { keys: [] };
  const next = signing ? [...keys, key] : [key, ...keys];
  writeFileSync(path, JSON.stringify({ keys: next }, null, 2), { mode: 0o600 });
}

/** Polls Oathkeeper's `GET /rules` until it serves exactly these rules (ids and upstreams). */
export async function waitForRules(
  url: string,
  expected: readonly unknown[],
  timeoutMs: number,
): Promise<void> {
  const want = JSON.stringify(summarize(expected));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(url);
    const served = (await response.json()) as unknown[];
    if (JSON.stringify(summarize(served)) === want) return;
    if (Date.now() > deadline)
      throw new Error(`Oathkeeper did not load the new access rules from ${url}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function summarize(rules: readonly unknown[]): string[] {
  return rules
    .map((rule) => {
      const { id, upstream } = rule as { id: string; upstream: { url: string } };
      return `${id} -> ${upstream.url}`;
    })
    .sort();
}
