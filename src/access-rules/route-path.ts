/**
 * A Nest route path as segments, for matching patterns and telling whether two routes can answer
 * the same URL. `:id` (also inside a segment, `file.:ext`) is one segment of anything; `*` or
 * `*rest` is one or more segments; `{...}` is optional and yields two paths.
 */
export type PathSegment =
  | { readonly kind: 'literal'; readonly value: string }
  /** `except`: values another route's literal segment takes at this position (see splitting). */
  | { readonly kind: 'param'; readonly except?: readonly string[] }
  | { readonly kind: 'splat' };

export type RoutePath = readonly PathSegment[];

/** Joins path parts the way Nest does: one slash between parts, none at the end, `/` for none. */
export function joinPath(...parts: readonly string[]): string {
  const joined = parts
    .flatMap((part) => part.split('/'))
    .filter((segment) => segment !== '')
    .join('/');
  return `/${joined}`;
}

/** Every concrete shape of a Nest path: `{/:id}` gives the path with and without it. */
export function expandOptional(path: string): string[] {
  const open = path.indexOf('{');
  if (open === -1) return [path];
  let depth = 0;
  for (let index = open; index < path.length; index += 1) {
    if (path[index] === '{') depth += 1;
    if (path[index] === '}') depth -= 1;
    if (depth === 0) {
      const head = path.slice(0, open);
      const inner = path.slice(open + 1, index);
      const tail = path.slice(index + 1);
      return [...expandOptional(head + inner + tail), ...expandOptional(head + tail)];
    }
  }
  throw new Error(`unbalanced "{" in route path "${path}"`);
}

/** Segments of a path without optional parts (see {@link expandOptional}). */
export function parsePath(path: string): RoutePath {
  return path
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment): PathSegment => {
      if (segment.startsWith('*')) return { kind: 'splat' };
      if (segment.includes(':') || segment.includes('*')) return { kind: 'param' };
      return { kind: 'literal', value: segment };
    });
}

/** The path with params as `:param` and splats as `*`, for messages. */
export function describePath(path: RoutePath): string {
  const text = path
    .map((segment) =>
      segment.kind === 'literal'
        ? segment.value
        : segment.kind === 'param'
          ? `:param${segment.except === undefined ? '' : `(not ${segment.except.join('|')})`}`
          : '*',
    )
    .join('/');
  return `/${text}`;
}

/** Whether some URL path is matched by both. */
export function pathsOverlap(a: RoutePath, b: RoutePath): boolean {
  const [first, ...restA] = a;
  const [second, ...restB] = b;
  if (first === undefined || second === undefined) return first === second;
  if (!segmentsOverlap(first, second)) return false;
  if (pathsOverlap(restA, restB)) return true;
  // A splat may take more than one segment of the other path.
  return (
    (first.kind === 'splat' && pathsOverlap(a, restB)) ||
    (second.kind === 'splat' && pathsOverlap(restA, b))
  );
}

function segmentsOverlap(a: PathSegment, b: PathSegment): boolean {
  if (a.kind === 'literal' && b.kind === 'literal') return a.value === b.value;
  const literal = a.kind === 'literal' ? a : b.kind === 'literal' ? b : undefined;
  const param = a.kind === 'param' ? a : b.kind === 'param' ? b : undefined;
  return !(literal && param?.except?.includes(literal.value));
}

/**
 * Concrete URL paths the route answers, for testing rules written by hand: each param and splat
 * filled with each sample value.
 */
export function samplePaths(path: RoutePath): string[] {
  return ['1', 'sample'].map(
    (value) =>
      `/${path.map((segment) => (segment.kind === 'literal' ? segment.value : value)).join('/')}`,
  );
}
