/**
 * The three example apps as separate Node processes, built the way a Nest project builds them
 * (tsc with decorator metadata) against the built package in dist/, as an installed
 * `nestjs-ory-iam` would be.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../test/support/ory/binaries.js';
import { installProcessHooks, OrphanGuard } from '../../../test/support/ory/orphan-guard.js';
import { tailOf } from '../../../test/support/ory/server-process.js';

export type AppName = 'auth-bff' | 'orders-api' | 'inventory-api';

const exampleDir = join(repoRoot, 'examples/zero-trust');
const buildDir = join(exampleDir, '.build');

function newestModification(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile())
      newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { cwd: repoRoot, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
  }
}

/** Builds dist/ when it is older than src/, then compiles the apps into examples/zero-trust/.build. */
export function buildApps(): void {
  const builtIndex = join(repoRoot, 'dist/index.cjs');
  if (
    !existsSync(builtIndex) ||
    statSync(builtIndex).mtimeMs < newestModification(join(repoRoot, 'src'))
  ) {
    run('npm', ['run', 'build', '--silent']);
  }
  run(join(repoRoot, 'node_modules/.bin/tsc'), ['-p', join(exampleDir, 'tsconfig.build.json')]);
  // The root package is ESM; the compiled apps are CommonJS, and resolve nestjs-ory-iam the way
  // an app with the package installed does: through node_modules.
  writeFileSync(join(buildDir, 'package.json'), '{ "type": "commonjs" }\n');
  const link = join(buildDir, 'node_modules/nestjs-ory-iam');
  if (!existsSync(link)) {
    mkdirSync(join(buildDir, 'node_modules'), { recursive: true });
    symlinkSync(repoRoot, link, 'dir');
  }
}

/** One app process; its stdout and stderr go to `logPath`. */
export class AppProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    readonly app: AppName,
    readonly url: string,
    readonly logPath: string,
    private readonly env: Record<string, string>,
    private readonly guard: OrphanGuard,
  ) {}

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && !this.child.signalCode;
  }

  async start(timeoutMs = 30_000): Promise<void> {
    const log = openSync(this.logPath, 'a');
    try {
      const child = spawn(process.execPath, [join(buildDir, this.app, 'src/main.js')], {
        cwd: join(buildDir, this.app),
        stdio: ['ignore', log, log],
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1', ...this.env },
      });
      this.child = child;
      this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
      this.guard.track(child);
    } finally {
      closeSync(log);
    }
    const deadline = Date.now() + timeoutMs;
    // Any HTTP answer means Nest is listening: most routes here answer 401 without a token.
    while (!(await answers(this.url))) {
      if (!this.running || Date.now() > deadline) {
        throw new Error(
          `${this.name} did not start. Last lines of ${this.logPath}:\n${this.tail()}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async stop(graceMs = 5_000): Promise<void> {
    const child = this.child;
    if (child === undefined || !this.running) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  tail(lines = 40): string {
    return tailOf(this.logPath, lines);
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

/** Starts app processes that share one orphan guard (no app outlives this process). */
export class AppGroup {
  readonly apps: AppProcess[] = [];
  private readonly guard: OrphanGuard;

  constructor(private readonly logDir: string) {
    this.guard = new OrphanGuard(join(logDir, 'apps.pids'));
    installProcessHooks();
  }

  async start(
    name: string,
    app: AppName,
    port: number,
    env: Record<string, string>,
  ): Promise<AppProcess> {
    const url = `http://127.0.0.1:${String(port)}`;
    const process = new AppProcess(
      name,
      app,
      url,
      join(this.logDir, `${name}.log`),
      { ...env, PORT: String(port), HOST: '127.0.0.1' },
      this.guard,
    );
    this.apps.push(process);
    await process.start();
    return process;
  }

  async stop(): Promise<void> {
    await Promise.all(this.apps.map((app) => app.stop()));
    this.guard.release();
  }

  logTails(lines = 40): string {
    return this.apps
      .map((app) => `----- ${app.name} (${app.logPath}) -----\n${app.tail(lines)}`)
      .join('\n');
  }
}
