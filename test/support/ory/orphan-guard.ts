import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';

/**
 * Makes sure no Ory server outlives the Node process that started it.
 *
 * - normal exit, uncaught exceptions: the `exit` hook signals every live server;
 * - SIGINT/SIGTERM/SIGHUP: the servers are signalled, then the signal is re-raised so the
 *   process still dies the way it would have;
 * - SIGKILL or a crashed test worker (no hook runs): a detached watchdog shell polls this
 *   process once a second and, once it is gone, terminates the pids listed in its pid file (SIGTERM, SIGKILL after 5 s).
 */
export class OrphanGuard {
  private readonly live = new Set<ChildProcess>();
  private watchdog: ChildProcess | undefined;

  constructor(private readonly pidFile: string) {}

  track(child: ChildProcess): void {
    this.live.add(child);
    child.once('exit', () => {
      this.live.delete(child);
      this.writePidFile();
    });
    this.writePidFile();
    this.startWatchdog();
    processHooks.add(this);
  }

  /** Sends SIGTERM to every tracked server now (synchronous, usable in `exit` hooks). */
  signalAll(signal: NodeJS.Signals): void {
    for (const child of this.live) child.kill(signal);
  }

  /** Called once every server has stopped. */
  release(): void {
    processHooks.delete(this);
    this.watchdog?.kill('SIGKILL');
    this.watchdog = undefined;
  }

  private writePidFile(): void {
    const pids = [...this.live].map((child) => child.pid).filter((pid) => pid !== undefined);
    writeFileSync(this.pidFile, `${pids.join(' ')}\n`);
  }

  private startWatchdog(): void {
    if (this.watchdog !== undefined) return;
    const script = [
      'while kill -0 "$1" 2>/dev/null; do sleep 1; done',
      'pids=$(cat "$2" 2>/dev/null)',
      'for attempt in 1 2 3 4 5 6 7 8 9 10; do',
      '  alive=""',
      '  for pid in $pids; do kill -0 "$pid" 2>/dev/null && alive="$alive $pid"; done',
      '  [ -n "$alive" ] || exit 0',
      '  [ "$attempt" = 1 ] && kill -TERM $alive 2>/dev/null',
      '  sleep 0.5',
      'done',
      'kill -KILL $alive 2>/dev/null',
    ].join('\n');
    this.watchdog = spawn(
      '/bin/sh',
      ['-c', script, 'ory-orphan-watchdog', String(process.pid), this.pidFile],
      { detached: true, stdio: 'ignore' },
    );
    this.watchdog.unref();
  }
}

const processHooks = new Set<OrphanGuard>();
let hooksInstalled = false;

function signalEverything(): void {
  for (const guard of processHooks) guard.signalAll('SIGTERM');
}

function reraise(signal: NodeJS.Signals): void {
  signalEverything();
  process.removeListener(signal, reraise);
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

/** Installs the process-wide hooks once, however many stacks are started. */
export function installProcessHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', signalEverything);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, reraise);
}
