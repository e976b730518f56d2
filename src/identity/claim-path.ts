/**
 * The segments of each path, split once: paths come from configuration (role and tenant claims),
 * and reading them is on the path of every new token. Bounded, in case a caller passes paths of
 * its own.
 */
const SEGMENTS = new Map<string, readonly string[]>();
const MAX_CACHED_PATHS = 256;

function segmentsOf(path: string): readonly string[] {
  let segments = SEGMENTS.get(path);
  if (segments === undefined) {
    segments = path.split('.');
    if (SEGMENTS.size < MAX_CACHED_PATHS) SEGMENTS.set(path, segments);
  }
  return segments;
}

/**
 * Reads a dot path (`metadataPublic.roles`) from verified claims. Only own properties of plain
 * objects are followed, so a path can never reach `__proto__` or a prototype's members.
 */
export function readClaimPath(source: unknown, path: string): unknown {
  let current = source;
  for (const segment of segmentsOf(path)) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    if (!Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/**
 * The roles at the first path that holds an array; entries that are not non-empty strings are
 * dropped. No array anywhere means no roles.
 */
export function rolesFromClaims(source: unknown, paths: readonly string[]): readonly string[] {
  for (const path of paths) {
    const value = readClaimPath(source, path);
    if (Array.isArray(value)) {
      const roles: string[] = [];
      for (const role of value) if (typeof role === 'string' && role !== '') roles.push(role);
      return Object.freeze(roles);
    }
  }
  return Object.freeze([]);
}
