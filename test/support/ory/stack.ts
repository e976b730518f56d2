/**
 * Real Ory servers on loopback for integration tests and the example runner.
 *
 * ```ts
 * const ory = await startOry({
 *   oathkeeper: { routes: { '/orders': 'http://127.0.0.1:3001' }, claimsTemplate: 'per-request' },
 * });
 * ory.urls.kratosPublic; // http://127.0.0.1:<port>
 * await ory.stop();
 * ```
 *
 * - Binaries come from `scripts/ory/install` (cache: `$NESTJS_ORY_IAM_ORY_CACHE` or
 *   `~/.cache/nestjs-ory-iam/ory`); a missing binary throws with the command to build it.
 * - `ports: 'free'` (default) binds every port to a free 127.0.0.1 port, so parallel runs do not
 *   collide; `ports: 'standard'` uses Ory's usual ports (Kratos 4433/4434, Keto 4466-4469,
 *   Oathkeeper 4455/4456 and 9000 for metrics, Hydra 4444/4445), for the example runner.
 * - Configs are rendered from `test/ory/**` into a fresh run directory (`stack.runDir`), next to
 *   each server's log (`<name>.log`). The id_token signing JWKS is generated there at start with
 *   `oathkeeper credentials generate` and never leaves it.
 * - Storage is in memory: every start is a blank Kratos, Keto and Hydra.
 * - Hydra runs only when asked (`hydra: true`): most tests never need it, and it adds a start.
 * - Servers are stopped by `stop()`, and by process hooks or a watchdog when the process dies
 *   first (see orphan-guard.ts). A server that cannot start makes `startOry` reject with the tail
 *   of its log.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OryServerName, oryBinary, repoRoot } from './binaries.js';
import { createHydraKeys, hydraArgs, hydraEnv } from './hydra.js';
import {
  accessRules,
  addKeyToJwks,
  type ClaimsTemplate,
  claimsTemplate,
  generateSigningKey,
  type OathkeeperRoutes,
  waitForRules,
  writeAccessRules,
} from './oathkeeper-files.js';
import { installProcessHooks, OrphanGuard } from './orphan-guard.js';
import { freePorts } from './ports.js';
import { renderEnv, renderFile } from './render.js';
import { ServerProcess } from './server-process.js';

export type { OryServerName } from './binaries.js';
export type { ClaimsTemplate, OathkeeperRoute, OathkeeperRoutes } from './oathkeeper-files.js';

/** What to run. Kratos and Keto run unless turned off; Oathkeeper and Hydra only when asked. */
export interface OryStackOptions {
  readonly kratos?: boolean;
  readonly keto?: boolean;
  /** Hydra issuing JWT access tokens (`strategies.access_token: jwt`). Default false. */
  readonly hydra?: boolean;
  readonly oathkeeper?: OathkeeperOptions;
  /** How Kratos runs, for tests that need other than test/ory/kratos/kratos.yml under `--dev`. */
  readonly kratosOptions?: KratosOptions;
  readonly ports?: 'free' | 'standard';
  /** Per server; Kratos and Keto migrate their in-memory databases first. Default 60 s. */
  readonly readyTimeoutMs?: number;
}

export interface KratosOptions {
  /**
   * Default true: `--dev`, which sets every cookie without `Secure` (plain http) and forces the
   * CSRF cookie to `SameSite=Lax`. Without it the cookies are `Secure`, which browsers accept
   * from http://127.0.0.1 (a potentially trustworthy origin), and `SameSite=None` becomes usable.
   */
  readonly dev?: boolean;
  /**
   * Config overrides as Kratos reads them from the environment, e.g. `SESSION_COOKIE_SAME_SITE`;
   * values may name the stack's ports, e.g. `http://127.0.0.1:${OATHKEEPER_PROXY_PORT}/login`.
   */
  readonly env?: Readonly<Record<string, string>>;
}

export interface OathkeeperOptions {
  readonly routes: OathkeeperRoutes;
  /** Default `per-request`: a uuidv4 in the claims, so every request gets a fresh jti. */
  readonly claimsTemplate?: ClaimsTemplate;
  /** The id_token's `aud`. Default `['orders-api', 'inventory-api']`. */
  readonly audience?: readonly string[];
  /** The id_token's `tenant` claim. Default `default`. */
  readonly tenant?: string;
  /** `access_rules.matching_strategy`. Default `glob`, which the routes' rules are written in. */
  readonly matchingStrategy?: 'glob' | 'regexp';
  /**
   * The origin the routes' rules match. Default: Oathkeeper's proxy. A proxy in front that asks
   * the decision API (nginx) sends its own host, so the rules are written for that.
   */
  readonly matchOrigin?: string;
}

/** Base URLs without a trailing slash; a server that is not running has none. */
export interface OryUrls {
  readonly kratosPublic?: string;
  readonly kratosAdmin?: string;
  readonly ketoRead?: string;
  readonly ketoWrite?: string;
  readonly oathkeeperProxy?: string;
  readonly oathkeeperApi?: string;
  /** Oathkeeper's public signing keys: `<oathkeeperApi>/.well-known/jwks.json`. */
  readonly jwksUrl?: string;
  /** The id_token's `iss`. */
  readonly issuer?: string;
  /** Hydra's public API (token endpoint, JWKS); also its tokens' `iss`, plus a trailing slash. */
  readonly hydraPublic?: string;
  /** Hydra's admin API (OAuth2 clients). */
  readonly hydraAdmin?: string;
}

export interface OryStack {
  readonly urls: OryUrls;
  /** Rendered configs, the signing JWKS and `<name>.log` of every server. */
  readonly runDir: string;
  readonly servers: readonly OryServerName[];
  /** Stops every server; the run directory is removed unless `keepRunDir`. */
  stop(options?: { keepRunDir?: boolean }): Promise<void>;
  /** Stops and starts one server with the same ports and config (memory storage is lost). */
  restart(name: OryServerName): Promise<void>;
  /** Stops one server, e.g. to see how its callers fail while it is down; `restart` brings it back. */
  stopServer(name: OryServerName): Promise<void>;
  /**
   * Generates a key into the signing JWKS and returns its kid. Oathkeeper reads the file at
   * start, so call `restart('oathkeeper')` to publish it. `signing` (default true) makes it the
   * key that signs; `false` only publishes it (see addKeyToJwks for how Oathkeeper picks).
   */
  addSigningKey(options?: { signing?: boolean }): Promise<string>;
  /** Replaces Oathkeeper's routes and resolves once Oathkeeper serves exactly those rules. */
  setRoutes(routes: OathkeeperRoutes): Promise<void>;
  /** Replaces Oathkeeper's rules with these (e.g. generated ones) once it serves exactly them. */
  setAccessRules(rules: readonly unknown[]): Promise<void>;
  /** The last lines of one server's log. */
  logTail(name: OryServerName, lines?: number): string;
  /** Every running server's log tail, headed by its name: for failure reports. */
  logTails(lines?: number): string;
}

const standardPorts = [4433, 4434, 4466, 4467, 4468, 4469, 4455, 4456, 9000, 4444, 4445];

/** Starts the requested servers and resolves once each answers `/health/ready`. */
export async function startOry(options: OryStackOptions = {}): Promise<OryStack> {
  const wanted = {
    kratos: options.kratos ?? true,
    keto: options.keto ?? true,
    oathkeeper: options.oathkeeper !== undefined,
    hydra: options.hydra ?? false,
  };
  if (wanted.oathkeeper && !wanted.kratos) {
    throw new Error('Oathkeeper checks sessions with Kratos: it needs kratos: true');
  }
  const binaries = {
    kratos: wanted.kratos ? oryBinary('kratos') : '',
    keto: wanted.keto ? oryBinary('keto') : '',
    oathkeeper: wanted.oathkeeper ? oryBinary('oathkeeper') : '',
    hydra: wanted.hydra ? oryBinary('hydra') : '',
  };
  const [
    kratosPublic,
    kratosAdmin,
    ketoRead,
    ketoWrite,
    ketoMetrics,
    ketoOpl,
    proxy,
    api,
    metrics,
    hydraPublic,
    hydraAdmin,
  ] = options.ports === 'standard' ? standardPorts : await freePorts(standardPorts.length);
  const oathkeeper = options.oathkeeper;
  // Before the run directory exists, so a failure here leaves nothing behind.
  const signingKey = oathkeeper && (await generateSigningKey(binaries.oathkeeper));
  const runDir = mkdtempSync(join(tmpdir(), 'nestjs-ory-iam-ory-'));
  const origin = (port: number | undefined) => `http://127.0.0.1:${String(port)}`;
  const jwksPath = join(runDir, 'id_token.jwks.json');
  const rulesPath = join(runDir, 'access-rules.json');
  const matchOrigin = oathkeeper?.matchOrigin ?? origin(proxy);
  const values: Record<string, string> = {
    RUN_DIR: runDir,
    KRATOS_PUBLIC_PORT: String(kratosPublic),
    KRATOS_ADMIN_PORT: String(kratosAdmin),
    KRATOS_COOKIE_SECRET: randomBytes(16).toString('hex'),
    KRATOS_CIPHER_SECRET: randomBytes(16).toString('hex'),
    KETO_READ_PORT: String(ketoRead),
    KETO_WRITE_PORT: String(ketoWrite),
    KETO_METRICS_PORT: String(ketoMetrics),
    KETO_OPL_PORT: String(ketoOpl),
    OATHKEEPER_PROXY_PORT: String(proxy),
    OATHKEEPER_API_PORT: String(api),
    OATHKEEPER_METRICS_PORT: String(metrics),
    OATHKEEPER_ISSUER: `${origin(proxy)}/`,
    HYDRA_ADMIN_PORT: String(hydraAdmin),
    MATCHING_STRATEGY: oathkeeper?.matchingStrategy ?? 'glob',
    ID_TOKEN_CLAIMS: claimsTemplate(
      oathkeeper?.claimsTemplate ?? 'per-request',
      oathkeeper?.audience ?? ['orders-api', 'inventory-api'],
      oathkeeper?.tenant ?? 'default',
    ),
  };
  const config = (relative: string) => join(repoRoot, 'test/ory', relative);
  const guard = new OrphanGuard(join(runDir, 'server.pids'));
  installProcessHooks();
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const servers = new Map<OryServerName, ServerProcess>();
  const launch = (
    name: OryServerName,
    args: string[],
    readyUrls: string[],
    env?: Readonly<Record<string, string>>,
    afterReady?: () => Promise<void>,
  ) =>
    servers.set(
      name,
      new ServerProcess(
        {
          name,
          binary: binaries[name],
          args,
          cwd: runDir,
          logPath: join(runDir, `${name}.log`),
          readyUrls,
          readyTimeoutMs,
          ...(env !== undefined && { env }),
          ...(afterReady !== undefined && { afterReady }),
        },
        guard,
      ),
    );

  if (wanted.kratos) {
    copyFileSync(config('kratos/identity.schema.json'), join(runDir, 'identity.schema.json'));
    renderFile(config('kratos/kratos.yml'), join(runDir, 'kratos.yml'), values);
    // --dev: cookies without the Secure flag, so browser flows work over plain http.
    const dev = options.kratosOptions?.dev ?? true;
    launch(
      'kratos',
      ['serve', '-c', join(runDir, 'kratos.yml'), ...(dev ? ['--dev'] : []), '--sqa-opt-out'],
      [`${origin(kratosPublic)}/health/ready`, `${origin(kratosAdmin)}/health/ready`],
      renderEnv(options.kratosOptions?.env, values),
    );
  }
  if (wanted.keto) {
    renderFile(config('keto/keto.yml'), join(runDir, 'keto.yml'), values);
    launch(
      'keto',
      ['serve', '-c', join(runDir, 'keto.yml'), '--sqa-opt-out'],
      [`${origin(ketoRead)}/health/ready`, `${origin(ketoWrite)}/health/ready`],
    );
  }
  if (oathkeeper !== undefined && signingKey !== undefined) {
    renderFile(config('oathkeeper/oathkeeper.yml'), join(runDir, 'oathkeeper.yml'), values);
    writeAccessRules(rulesPath, accessRules(oathkeeper.routes, matchOrigin));
    addKeyToJwks(jwksPath, signingKey, true);
    // Oathkeeper is not "ready" without a single rule; with none, alive is all there is to wait for.
    const readiness = Object.keys(oathkeeper.routes).length > 0 ? 'ready' : 'alive';
    launch(
      'oathkeeper',
      ['serve', '-c', join(runDir, 'oathkeeper.yml'), '--sqa-opt-out'],
      [`${origin(api)}/health/${readiness}`],
    );
  }

  if (wanted.hydra) {
    launch(
      'hydra',
      hydraArgs,
      [`${origin(hydraPublic)}/health/ready`, `${origin(hydraAdmin)}/health/ready`],
      hydraEnv(hydraPublic, hydraAdmin),
      () => createHydraKeys(origin(hydraPublic)),
    );
  }

  const urls: OryUrls = {
    ...(wanted.kratos && { kratosPublic: origin(kratosPublic), kratosAdmin: origin(kratosAdmin) }),
    ...(wanted.keto && { ketoRead: origin(ketoRead), ketoWrite: origin(ketoWrite) }),
    ...(wanted.oathkeeper && {
      oathkeeperProxy: origin(proxy),
      oathkeeperApi: origin(api),
      jwksUrl: `${origin(api)}/.well-known/jwks.json`,
      issuer: values.OATHKEEPER_ISSUER,
    }),
    ...(wanted.hydra && { hydraPublic: origin(hydraPublic), hydraAdmin: origin(hydraAdmin) }),
  };
  const server = (name: OryServerName): ServerProcess => {
    const found = servers.get(name);
    if (found === undefined) throw new Error(`${name} is not part of this stack`);
    return found;
  };
  const logTails = (lines = 40) =>
    [...servers.values()]
      .map(
        (entry) =>
          `----- ${entry.launch.name} (${entry.launch.logPath}) -----\n${entry.tail(lines)}`,
      )
      .join('\n');
  const stopAll = async (keepRunDir: boolean) => {
    await Promise.all([...servers.values()].map((entry) => entry.stop()));
    guard.release();
    if (!keepRunDir) rmSync(runDir, { recursive: true, force: true });
  };

  const setAccessRules = async (rules: readonly unknown[]) => {
    if (!servers.has('oathkeeper')) throw new Error('oathkeeper is not part of this stack');
    writeAccessRules(rulesPath, rules);
    await waitForRules(`${origin(api)}/rules`, rules, readyTimeoutMs);
  };

  const started = await Promise.allSettled([...servers.values()].map((entry) => entry.start()));
  const failures = started.filter((result) => result.status === 'rejected');
  if (failures.length > 0) {
    await stopAll(true);
    throw new Error(
      failures.map((failure) => String(failure.reason?.message ?? failure.reason)).join('\n\n'),
    );
  }

  return {
    urls,
    runDir,
    servers: [...servers.keys()],
    stop: (stopOptions) => stopAll(stopOptions?.keepRunDir ?? false),
    stopServer: (name) => server(name).stop(),
    async restart(name) {
      await server(name).stop();
      await server(name).start();
    },
    async addSigningKey(keyOptions) {
      const key = await generateSigningKey(oryBinary('oathkeeper'));
      addKeyToJwks(jwksPath, key, keyOptions?.signing ?? true);
      return String(key.kid);
    },
    setRoutes: (routes) => setAccessRules(accessRules(routes, matchOrigin)),
    setAccessRules,
    logTail: (name, lines) => server(name).tail(lines),
    logTails,
  };
}
