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
 *
 * It runs once per identity built, so on the request path for every new token: plain loops, no
 * `Object.entries` arrays.
 */
export function deepFreeze<T>(value: T): T {
  if (!isPlainData(value)) return value;
  if (Array.isArray(value)) {
    for (const member of value) deepFreeze(member);
  } else {
    const record = value as Record<string, unknown>;
    for (const key in record) {
      const member = record[key];
      if (member === undefined) Reflect.deleteProperty(record, key);
      else deepFreeze(member);
    }
  }
  return Object.freeze(value);
}
