/**
 * Valgrind's callgrind around one `bench/http` server: the command the server runs under, the
 * controls that open and close the measured window, and what a dump counted.
 */

import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export const HAS_CALLGRIND =
  spawnSync('valgrind', ['--version']).status === 0 &&
  spawnSync('callgrind_control', ['--version']).status === 0;

/** The command a server runs under, writing its dumps to `outFile`.N and valgrind's log beside. */
export function callgrind(outFile: string): string[] {
  return [
    'valgrind',
    '--tool=callgrind',
    // V8 writes and patches machine code in anonymous memory: valgrind must notice, or it runs
    // stale translations.
    '--smc-check=all-non-file',
    // Start-up and warm-up run uninstrumented, several times faster; `instrument` starts counting.
    '--instr-atstart=no',
    '--dump-instr=no',
    '--dump-line=no',
    `--callgrind-out-file=${outFile}`,
    `--log-file=${outFile}.log`,
  ];
}

/** `callgrind_control` on the server: it answers between two requests (valgrind polls for it). */
function control(pid: number, ...args: string[]): void {
  execFileSync('callgrind_control', [...args, String(pid)], { stdio: 'ignore' });
}

export const instrument = (pid: number) => control(pid, '-i', 'on');
export const zero = (pid: number) => control(pid, '-z');
export const dump = (pid: number) => control(pid, '-d');

/**
 * V8 compiling JavaScript to machine code. After the warm-up it still optimizes the last functions
 * to reach their budget and re-optimizes after a deopt: a cost that ends, 10-30% of a window
 * in the first thousands of requests and different every run. Each of these roots is entered from
 * JavaScript or a compile thread, never from one another, so their inclusive counts add up.
 */
const JIT_ROOTS = [
  'v8::internal::OptimizingCompileDispatcher::CompileTask::RunInternal()',
  'v8::internal::OptimizingCompileDispatcher::InstallOptimizedFunctions()',
  'v8::internal::Runtime_CompileOptimized(',
  'v8::internal::Runtime_CompileLazy(',
  'v8::internal::Runtime_CompileBaseline(',
  'v8::internal::Runtime_InstallBaselineCode(',
];

export interface Counted {
  /** User-space instructions in the window, every thread of the server. */
  readonly total: number;
  /** Of which V8's JIT compiling them (`JIT_ROOTS`). */
  readonly jit: number;
}

/** The newest dump of `outFile` (`outFile`.N with the highest N). */
export function lastDump(outFile: string): string {
  const prefix = `${basename(outFile)}.`;
  const numbers = readdirSync(dirname(outFile))
    .filter((name) => name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length)))
    .map((name) => Number(name.slice(prefix.length)));
  if (numbers.length === 0) throw new Error(`no callgrind dump beside ${outFile}`);
  return join(dirname(outFile), `${prefix}${Math.max(...numbers)}`);
}

export function counted(dumpFile: string): Counted {
  const annotated = execFileSync(
    'callgrind_annotate',
    ['--inclusive=yes', '--threshold=100', dumpFile],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  let total = Number.NaN;
  let jit = 0;
  for (const line of annotated.split('\n')) {
    const match = /^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.*)$/.exec(line);
    if (match === null) continue;
    const count = Number((match[1] as string).replaceAll(',', ''));
    const name = match[2] as string;
    if (name.startsWith('PROGRAM TOTALS')) total = count;
    else if (JIT_ROOTS.some((root) => name.includes(`:${root}`))) jit += count;
  }
  return { total, jit };
}
