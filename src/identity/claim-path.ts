/**
 * Reads a dot path (`metadataPublic.roles`) from verified claims. Only own properties of plain
 * objects are followed, so a path can never reach `__proto__` or a prototype's members.
 */
export function readClaimPath(source: unknown, path: string): unknown {
  let current = source;
  for (const segment of path.split('.')) {
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
      return Object.freeze(
        value.filter((role): role is string => typeof role === 'string' && role !== ''),
      );
    }
  }
  return Object.freeze([]);
}
