/**
 * Starts one server variant in its own process, pinned to core 1 (`BENCH_SERVER_CORE`) when
 * `taskset` exists.
 */

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Kind, Platform } from './server.js';

const SERVER = fileURLToPath(new URL('./server.ts', import.meta.url));
const TSCONFIG = fileURLToPath(new URL('./tsconfig.json', import.meta.url));

export const HAS_TASKSET = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

export interface ServerProcess {
  readonly port: number;
  readonly pid: number;
  /** Where `nestjs-ory-iam` resolved in the server: must be the built dist/. */
  readonly library: string;
  /** The server's own CPU time so far, in microseconds: user (JavaScript, crypto, on every thread)
   * and system (the kernel: sockets, loopback TCP). */
  cpuSplit(): Promise<{ user: number; system: number }>;
  /** Samples what the server allocates while `during` runs, into a V8 heap profile at `file`. */
  sampleAllocations(file: string, during: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

type Message =
  | { type: 'ready'; port: number; library: string }
  | { type: 'cpu'; user: number; system: number }
  | { type: 'alloc-started' }
  | { type: 'alloc-stopped' };

export async function startServer(
  platform: Platform,
  kind: Kind,
  jwksUrl: string,
  env: Record<string, string> = {},
  wrapper: readonly string[] = [],
): Promise<ServerProcess> {
  // e.g. BENCH_SERVER_NODE_FLAGS="--cpu-prof --cpu-prof-dir=prof" to profile every server.
  const flags = (process.env.BENCH_SERVER_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  // `wrapper`: a command the server runs under, e.g. valgrind (bench/instructions).
  const args = [
    ...wrapper,
    process.execPath,
    ...flags,
    '--import',
    'tsx',
    SERVER,
    platform,
    kind,
    jwksUrl,
  ];
  const child: ChildProcess = spawn(
    HAS_TASKSET ? 'taskset' : (args[0] as string),
    HAS_TASKSET ? ['-c', process.env.BENCH_SERVER_CORE ?? '1', ...args] : args.slice(1),
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, TSX_TSCONFIG_PATH: TSCONFIG, ...env },
    },
  );
  const next = <T extends Message['type']>(type: T) =>
    new Promise<Extract<Message, { type: T }>>((resolve, reject) => {
      const onMessage = (message: Message) => {
        if (message.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message as Extract<Message, { type: T }>);
      };
      const onExit = (code: number | null) =>
        reject(new Error(`${platform} ${kind} server exited with ${code}`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const ready = await next('ready');
  return {
    port: ready.port,
    pid: child.pid as number,
    library: ready.library,
    cpuSplit: async () => {
      const answer = next('cpu');
      child.send({ type: 'cpu' });
      const { user, system } = await answer;
      return { user, system };
    },
    sampleAllocations: async (file, during) => {
      const started = next('alloc-started');
      child.send({ type: 'alloc-start' });
      await started;
      await during();
      const stopped = next('alloc-stopped');
      child.send({ type: 'alloc-stop', file });
      await stopped;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send({ type: 'stop' });
      }),
  };
}
