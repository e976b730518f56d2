function isPlainData(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === Array.prototype || prototype === null;
}

/**
 * Freezes plain objects and arrays all the way down, in place, and drops keys whose value is
 * `undefined` (an omitted field is absent, not present-and-undefined). Only call it on objects
 * the library built or parsed itself (validated options, identities): class instances and
 * functions are left alone, but every plain object reached is frozen.
 */
export function deepFreeze<T>(value: T): T {
  if (!isPlainData(value)) return value;
  for (const [key, member] of Object.entries(value)) {
    if (member === undefined && !Array.isArray(value)) {
      Reflect.deleteProperty(value, key);
    } else {
      deepFreeze(member);
    }
  }
  return Object.freeze(value);
}
