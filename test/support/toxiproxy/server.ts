import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../ory/binaries.js';
import { installProcessHooks, OrphanGuard } from '../ory/orphan-guard.js';
import { freePorts } from '../ory/ports.js';
import { ServerProcess } from '../ory/server-process.js';
import { ToxiproxyClient } from './client.js';

/** Where scripts/toxiproxy/install puts the server: `<cache>/toxiproxy-<version>/toxiproxy-server`. */
export function toxiproxyBinary(): string {
  const line = readFileSync(join(repoRoot, 'scripts/toxiproxy/versions'), 'utf8')
    .split('\n')
    .map((text) => text.trim())
    .find((text) => text !== '' && !text.startsWith('#'));
  const version = line?.split(/\s+/)[2];
  if (version === undefined) throw new Error('scripts/toxiproxy/versions names no version');
  const override = process.env.NESTJS_ORY_IAM_TOXIPROXY_CACHE;
  const cache =
    override !== undefined && override !== ''
      ? override
      : join(homedir(), '.cache', 'nestjs-ory-iam', 'toxiproxy');
  const binary = join(cache, `toxiproxy-${version}`, 'toxiproxy-server');
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    throw new Error(
      `Toxiproxy ${version} is not built (${binary} is missing). ` +
        'Run scripts/toxiproxy/install (npm test runs it for you).',
    );
  }
  return binary;
}

/** A Toxiproxy server of this process, on a free loopback port. */
export interface RunningToxiproxy {
  readonly api: ToxiproxyClient;
  /** The last lines of its log: every connection and toxic, for failure reports. */
  logTail(lines?: number): string;
  /** Stops it; the log is removed unless `keepLog`. */
  stop(options?: { keepLog?: boolean }): Promise<void>;
}

/**
 * Starts `toxiproxy-server` and resolves once its API answers; rejects, with its log tail, when
 * it cannot start (a missing binary too): callers fail rather than skip. Like the Ory servers it
 * cannot outlive this process (see orphan-guard.ts).
 */
export async function startToxiproxy(
  options: { logLevel?: 'debug' | 'info' | 'warn' } = {},
): Promise<RunningToxiproxy> {
  const binary = toxiproxyBinary();
  const [port] = await freePorts(1);
  const runDir = mkdtempSync(join(tmpdir(), 'nestjs-ory-iam-toxiproxy-'));
  const apiUrl = `http://127.0.0.1:${String(port)}`;
  const guard = new OrphanGuard(join(runDir, 'server.pids'));
  installProcessHooks();
  const server = new ServerProcess(
    {
      name: 'toxiproxy',
      binary,
      args: ['-host', '127.0.0.1', '-port', String(port)],
      cwd: runDir,
      logPath: join(runDir, 'toxiproxy.log'),
      readyUrls: [`${apiUrl}/version`],
      readyTimeoutMs: 10_000,
      env: { LOG_LEVEL: options.logLevel ?? 'info' },
    },
    guard,
  );
  const stop = async (keepLog: boolean) => {
    await server.stop();
    guard.release();
    if (!keepLog) rmSync(runDir, { recursive: true, force: true });
  };
  try {
    await server.start();
  } catch (error) {
    await stop(true);
    throw error;
  }
  return {
    api: new ToxiproxyClient(apiUrl),
    logTail: (lines) => server.tail(lines),
    stop: (stopOptions) => stop(stopOptions?.keepLog ?? false),
  };
}
