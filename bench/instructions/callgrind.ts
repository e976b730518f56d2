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

/**
 * Callgrind's simulated caches: L1 as valgrind reads them off the CPU, and its last level set to
 * `lastLevel` (`size,associativity,line`), which stands for the core's own L2 here: a miss there
 * goes to the L3 shared with the other core and its load, the step that costs a request time.
 */
export interface CacheSimulation {
  readonly lastLevel: string;
}

/**
 * The command a server runs under, writing its dumps to `outFile`.N and valgrind's log beside;
 * with `caches`, misses are counted too.
 */
export function callgrind(outFile: string, caches?: CacheSimulation): string[] {
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
    ...(caches === undefined ? [] : ['--cache-sim=yes', `--LL=${caches.lastLevel}`]),
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

/** What one window counted, V8's JIT compiling left out. */
export interface Counted {
  /** User-space instructions in the window, every thread of the server. */
  readonly instructions: number;
  /** Instruction and data misses in the simulated L1 caches; 0 without a cache simulation. */
  readonly l1Misses: number;
  /** Misses in the simulated last level (L2); 0 without a cache simulation. */
  readonly l2Misses: number;
  /** Instructions of V8's JIT compiling (`JIT_ROOTS`), left out of the counts above. */
  readonly jit: number;
}

/** Callgrind's events, in its order: instructions, then the cache simulation's (when on). */
const EVENTS = ['Ir', 'Dr', 'Dw', 'I1mr', 'D1mr', 'D1mw', 'ILmr', 'DLmr', 'DLmw'] as const;
type Events = Partial<Record<(typeof EVENTS)[number], number>>;

/** The counts of one line of `callgrind_annotate`: `1,234 (5.6%)` per event, `.` for none. */
function eventsOf(line: string): { events: Events; name: string } | undefined {
  const match = /^\s*((?:(?:[\d,]+ \(\s*[\d.]+%\)|\.)\s+)+)(\S.*)$/.exec(line);
  if (match === null) return undefined;
  const counts = (match[1] as string).match(/[\d,]+ \(\s*[\d.]+%\)|\./g) ?? [];
  const events: Events = {};
  counts.forEach((count, index) => {
    const event = EVENTS[index];
    if (event !== undefined)
      events[event] = count === '.' ? 0 : Number(count.split(' ')[0]?.replaceAll(',', ''));
  });
  return { events, name: match[2] as string };
}

function plus(total: Events, part: Events, sign: 1 | -1 = 1): Events {
  return Object.fromEntries(
    EVENTS.map((event) => [event, (total[event] ?? 0) + sign * (part[event] ?? 0)]),
  );
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
  let total: Events | undefined;
  let jit: Events = {};
  for (const line of annotated.split('\n')) {
    const counts = eventsOf(line);
    if (counts === undefined) continue;
    if (counts.name.startsWith('PROGRAM TOTALS')) total = counts.events;
    else if (JIT_ROOTS.some((root) => counts.name.includes(`:${root}`))) {
      jit = plus(jit, counts.events);
    }
  }
  if (total === undefined) throw new Error(`no PROGRAM TOTALS in ${dumpFile}`);
  const left = plus(total, jit, -1);
  const sum = (...events: (typeof EVENTS)[number][]) =>
    events.reduce((found, event) => found + (left[event] ?? 0), 0);
  return {
    instructions: sum('Ir'),
    l1Misses: sum('I1mr', 'D1mr', 'D1mw'),
    l2Misses: sum('ILmr', 'DLmr', 'DLmw'),
    jit: jit.Ir ?? 0,
  };
}
