import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from '../ory/binaries.js';
import { installProcessHooks, OrphanGuard } from '../ory/orphan-guard.js';
import { freePorts } from '../ory/ports.js';
import { renderFile } from '../ory/render.js';
import { ServerProcess } from '../ory/server-process.js';

/** Debian's nginx from scripts/nginx/install, or `NESTJS_ORY_IAM_NGINX`. */
function nginxBinary(): string {
  const binary = process.env.NESTJS_ORY_IAM_NGINX || '/usr/sbin/nginx';
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    throw new Error(
      `nginx is missing (${binary}). Run scripts/nginx/install (npm test runs it for you).`,
    );
  }
  return binary;
}

/** An nginx of this process on a loopback port. */
export interface RunningNginx {
  readonly url: string;
  /** The rendered config and nginx's log. */
  readonly runDir: string;
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

/** Which config template to render, and where nginx listens. */
export interface NginxLaunch {
  /** An nginx.conf with `${...}` placeholders; `RUN_DIR` and `PORT` are filled in here. */
  readonly template: string;
  /** The other placeholders of the template. */
  readonly values: Readonly<Record<string, string>>;
  /** Default: a free port. The template must answer 200 on `/__ready` without asking anyone. */
  readonly port?: number;
  /** More files for the config to include, by path in the run directory, e.g. `locations.d/a.conf`. */
  readonly files?: Readonly<Record<string, string>>;
}

/**
 * Starts nginx in the foreground with a config rendered from `template` into a fresh run
 * directory (its log next to it), stopped by `stop()` or by the orphan guard when this process
 * dies first. Rejects with the log tail when it cannot start (never skips).
 */
export async function startNginx(launch: NginxLaunch): Promise<RunningNginx> {
  const binary = nginxBinary();
  const port = launch.port ?? (await freePorts(1))[0];
  const runDir = mkdtempSync(join(tmpdir(), 'nestjs-ory-iam-nginx-'));
  const url = `http://127.0.0.1:${String(port)}`;
  renderFile(launch.template, join(runDir, 'nginx.conf'), {
    ...launch.values,
    RUN_DIR: runDir,
    PORT: String(port),
  });
  for (const [path, text] of Object.entries(launch.files ?? {})) {
    mkdirSync(dirname(join(runDir, path)), { recursive: true });
    writeFileSync(join(runDir, path), text);
  }
  const guard = new OrphanGuard(join(runDir, 'server.pids'));
  installProcessHooks();
  const server = new ServerProcess(
    {
      name: 'nginx',
      binary,
      args: ['-p', runDir, '-c', join(runDir, 'nginx.conf'), '-e', join(runDir, 'nginx.log')],
      cwd: runDir,
      logPath: join(runDir, 'nginx.log'),
      readyUrls: [`${url}/__ready`],
      readyTimeoutMs: 10_000,
    },
    guard,
  );
  const stop = async (keep: boolean) => {
    await server.stop();
    guard.release();
    if (!keep) rmSync(runDir, { recursive: true, force: true });
  };
  try {
    await server.start();
  } catch (error) {
    await stop(true);
    throw error;
  }
  return { url, runDir, logTail: (lines) => server.tail(lines), stop: () => stop(false) };
}

/**
 * Starts nginx with test/support/nginx/decisions.conf: every request is first asked of
 * Oathkeeper's decision API (`oathkeeperApi`), then proxied to `upstream` with the minted
 * Authorization header.
 */
export function startDecisionNginx(oathkeeperApi: string, upstream: string): Promise<RunningNginx> {
  return startNginx({
    template: join(repoRoot, 'test/support/nginx/decisions.conf'),
    values: { OATHKEEPER_API: oathkeeperApi, UPSTREAM: upstream },
  });
}
