import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import type { OrphanGuard } from './orphan-guard.js';

const readyPollMs = 100;

/** How one server is launched; `readyUrls` are polled until each answers 200. */
export interface ServerLaunch {
  /** An Ory server's name, or another server run the same way (`toxiproxy`). */
  readonly name: string;
  readonly binary: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly logPath: string;
  readonly readyUrls: readonly string[];
  readonly readyTimeoutMs: number;
  /** Added to the minimal environment, e.g. config overrides such as `SESSION_COOKIE_SAME_SITE`. */
  readonly env?: Readonly<Record<string, string>>;
  /** Work the server must have done before a test may use it, run after each (re)start's readiness. */
  readonly afterReady?: () => Promise<void>;
}

/** The last `lines` lines of a log file, or a note that there is none yet. */
export function tailOf(logPath: string, lines: number): string {
  if (!existsSync(logPath)) return `(no log at ${logPath})`;
  const all = readFileSync(logPath, 'utf8').trimEnd().split('\n');
  return all.slice(-lines).join('\n');
}

/** One running server (Ory's, or Toxiproxy): its own log file (appended across restarts) and lifecycle. */
export class ServerProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> = Promise.resolve(null);

  constructor(
    readonly launch: ServerLaunch,
    private readonly guard: OrphanGuard,
  ) {}

  get running(): boolean {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  /** Starts the server and resolves once every ready URL answers 200. */
  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.launch.name} is already running`);
    const log = openSync(this.launch.logPath, 'a');
    try {
      // A minimal environment: Ory servers read config overrides (DSN, SERVE_*, LOG_*) from it.
      const child = spawn(this.launch.binary, [...this.launch.args], {
        cwd: this.launch.cwd,
        stdio: ['ignore', log, log],
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: this.launch.cwd,
          ...this.launch.env,
        },
      });
      this.child = child;
      this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
      this.guard.track(child);
    } finally {
      closeSync(log);
    }
    await this.waitReady();
    await this.launch.afterReady?.();
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs = 5_000): Promise<void> {
    const child = this.child;
    if (child === undefined || !this.running) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  tail(lines = 40): string {
    return tailOf(this.launch.logPath, lines);
  }

  private async waitReady(): Promise<void> {
    const deadline = Date.now() + this.launch.readyTimeoutMs;
    const pending = new Set(this.launch.readyUrls);
    while (pending.size > 0) {
      if (!this.running) {
        const status = this.child?.signalCode ?? `code ${String(this.child?.exitCode)}`;
        throw this.failure(`exited (${status}) before it was ready`);
      }
      if (Date.now() > deadline) {
        throw this.failure(
          `not ready after ${this.launch.readyTimeoutMs} ms (${[...pending].join(', ')})`,
        );
      }
      for (const url of pending) {
        if (await answersOk(url)) pending.delete(url);
      }
      if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, readyPollMs));
    }
  }

  private failure(what: string): Error {
    return new Error(
      `${this.launch.name} ${what}. Log ${this.launch.logPath}, last lines:\n${this.tail()}`,
    );
  }
}

async function answersOk(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}
