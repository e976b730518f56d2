import { accessOf } from './route-access.js';
import { type PathSegment, pathsOverlap, type RoutePath } from './route-path.js';
import type { RouteEntry } from './route-table.js';

/**
 * Where `general` has a param and `specific` a literal, everything else alike: the one position
 * at which excluding the literal from the param separates them. Undefined when no single
 * exclusion can (several positions differ, or a splat is involved).
 */
function splitPosition(general: RoutePath, specific: RoutePath): number | undefined {
  if (general.length !== specific.length) return undefined;
  let position: number | undefined;
  for (let index = 0; index < general.length; index += 1) {
    const a = general[index] as PathSegment;
    const b = specific[index] as PathSegment;
    if (a.kind === 'splat' || b.kind === 'splat') return undefined;
    const same =
      (a.kind === 'literal' && b.kind === 'literal' && a.value === b.value) ||
      (a.kind === 'param' && b.kind === 'param');
    if (same) continue;
    if (a.kind !== 'param' || b.kind !== 'literal' || position !== undefined) return undefined;
    position = index;
  }
  return position;
}

function withExclusion(path: RoutePath, position: number, value: string): RoutePath {
  return path.map((segment, index) =>
    index === position && segment.kind === 'param'
      ? { kind: 'param', except: [...(segment.except ?? []), value] }
      : segment,
  );
}

/**
 * Separates routes of different access that can be the same request, when a literal path of one
 * (`/orders/export`) falls under a param of the other (`/orders/:id`): the param stops matching
 * that literal, so the literal path gets only its own rule, as Fastify routes it (Express routes
 * it so too when the literal route is declared first). Returns the routes and the pairs that no
 * exclusion separates, for the caller to refuse.
 */
export function splitConflicts(routes: readonly RouteEntry[]): {
  routes: RouteEntry[];
  conflicts: string[];
} {
  const result = [...routes];
  const conflicts: string[] = [];
  for (let i = 0; i < result.length; i += 1) {
    for (let j = 0; j < result.length; j += 1) {
      const general = result[i] as RouteEntry;
      const specific = result[j] as RouteEntry;
      if (
        i === j ||
        general.method !== specific.method ||
        accessOf(general) === accessOf(specific)
      ) {
        continue;
      }
      if (!pathsOverlap(general.path, specific.path)) continue;
      const position = splitPosition(general.path, specific.path);
      const literal = position === undefined ? undefined : specific.path[position];
      if (position !== undefined && literal?.kind === 'literal') {
        result[i] = { ...general, path: withExclusion(general.path, position, literal.value) };
      } else if (i < j && splitPosition(specific.path, general.path) === undefined) {
        conflicts.push(
          `${general.source} (${accessOf(general)}) and ${specific.source} (${accessOf(specific)})`,
        );
      }
    }
  }
  return { routes: result, conflicts };
}
