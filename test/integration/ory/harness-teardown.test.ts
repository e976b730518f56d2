import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOry } from '../../support/ory/stack.js';

const fixture = fileURLToPath(new URL('../../support/ory/fixtures/hold-stack.ts', import.meta.url));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(pids: readonly number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(alive)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

/** Runs the fixture in its own Node process; resolves with the server pids it started. */
async function holdStack() {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) =>
      reject(new Error(`fixture exited with ${String(code)} before starting`)),
    );
  });
  const { runDir } = JSON.parse(first) as { runDir: string };
  const pids = readFileSync(join(runDir, 'server.pids'), 'utf8').trim().split(/\s+/).map(Number);
  return { child, pids, runDir };
}

describe('Ory harness teardown', () => {
  it.each(['SIGTERM', 'SIGINT', 'SIGKILL'] as const)(
    'leaves no server behind when the process that started it gets %s',
    async (signal) => {
      const { child, pids, runDir } = await holdStack();
      expect(pids).toHaveLength(1);
      expect(pids.every(alive)).toBe(true);

      child.kill(signal);

      // SIGKILL runs no hook: the watchdog notices within a second, then terminates the server.
      expect(await gone(pids, 15_000)).toBe(true);
      // Nobody called stop(), so the run directory (logs) is left behind on purpose.
      rmSync(runDir, { recursive: true, force: true });
    },
  );

  describe('with a cache holding a Kratos that cannot start', () => {
    let cache: string;
    const previous = process.env.NESTJS_ORY_IAM_ORY_CACHE;
    beforeEach(() => {
      cache = mkdtempSync(join(tmpdir(), 'nestjs-ory-iam-fake-cache-'));
      process.env.NESTJS_ORY_IAM_ORY_CACHE = cache;
    });
    afterEach(() => {
      if (previous === undefined) delete process.env.NESTJS_ORY_IAM_ORY_CACHE;
      else process.env.NESTJS_ORY_IAM_ORY_CACHE = previous;
      rmSync(cache, { recursive: true, force: true });
    });

    it('rejects with the log tail of a server that exits during start', async () => {
      mkdirSync(join(cache, 'kratos-v1.3.1'));
      writeFileSync(
        join(cache, 'kratos-v1.3.1', 'kratos'),
        '#!/bin/sh\necho "first line"\necho "listen tcp: bind: address already in use" >&2\nexit 1\n',
        { mode: 0o755 },
      );
      const message = await startOry({ keto: false }).then(
        () => 'started',
        (error: Error) => error.message,
      );

      expect(message).toMatch(
        /^kratos exited \(code 1\) before it was ready\. Log (\S+)\/kratos\.log, last lines:\nfirst line\nlisten tcp: bind: address already in use$/,
      );
      // A failed start keeps its run directory for inspection; this one is not worth keeping.
      const runDir = /Log (\S+)\/kratos\.log/.exec(message)?.[1];
      if (runDir !== undefined) rmSync(runDir, { recursive: true, force: true });
    });

    it('says how to build a server that is missing', async () => {
      await expect(startOry({ keto: false })).rejects.toThrow(
        /kratos v1\.3\.1 is not built \(.*kratos-v1\.3\.1\/kratos is missing\)\. Run scripts\/ory\/install/,
      );
    });
  });
});
