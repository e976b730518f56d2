const MAX_ECHO_LENGTH = 60;

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'undefined') return 'undefined';
  return `a ${typeof value}`;
}

/**
 * What a wrong value was, for an error message. Secrets (and anything that may hold credentials)
 * are described by kind only; other primitives are echoed, shortened, because seeing `"5000"`
 * (a string) next to "must be an integer" is what makes the mistake obvious.
 */
export function describeValue(value: unknown, secret: boolean): string {
  if (secret) return kindOf(value);
  if (typeof value === 'string') {
    const shown = value.length > MAX_ECHO_LENGTH ? `${value.slice(0, MAX_ECHO_LENGTH)}...` : value;
    return `${JSON.stringify(shown)} (a string)`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return kindOf(value);
}
