import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** An nginx of this process on a free loopback port. */
export interface RunningNginx {
  readonly url: string;
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

/**
 * Starts nginx with test/support/nginx/decisions.conf: every request is first asked of
 * Oathkeeper's decision API (`oathkeeperApi`), then proxied to `upstream` with the minted
 * Authorization header. Rejects with the log tail when it cannot start (never skips).
 */
export async function startDecisionNginx(
  oathkeeperApi: string,
  upstream: string,
): Promise<RunningNginx> {
  const binary = nginxBinary();
  const [port] = await freePorts(1);
  const runDir = mkdtempSync(join(tmpdir(), 'nestjs-ory-iam-nginx-'));
  const url = `http://127.0.0.1:${String(port)}`;
  renderFile(join(repoRoot, 'test/support/nginx/decisions.conf'), join(runDir, 'nginx.conf'), {
    RUN_DIR: runDir,
    PORT: String(port),
    OATHKEEPER_API: oathkeeperApi,
    UPSTREAM: upstream,
  });
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
  return { url, logTail: (lines) => server.tail(lines), stop: () => stop(false) };
}
