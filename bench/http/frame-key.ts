/** One line per function in the profiles of bench/http (CPU and allocation). */

export interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

/**
 * `name where:line`, where is a package's own path or, for this checkout's build, `dist/...`: the
 * prefix the library's lines are picked out by. A package's own `dist/` keeps its package name.
 */
export function frameKey({ functionName, url, lineNumber }: CallFrame): string {
  const where = url.includes('/node_modules/')
    ? url.replace(/.*node_modules\//, '')
    : url.replace(/.*\/dist\//, 'dist/');
  return `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
}
