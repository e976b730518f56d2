import { IamConfigurationError } from '../errors/iam-errors.js';

const PLAIN_SEGMENT = /^[A-Za-z_$][\w$-]*$/;

/**
 * Appends one key to a config path: `tenants.default`, `jwks.algorithms[1]`, and bracket form for
 * keys a dot would make ambiguous (`tenantResolver.host["api.example.com"]`, `tenants[""]`).
 */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  const segment = PLAIN_SEGMENT.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (parent === '') return segment;
  return segment.startsWith('[') ? `${parent}${segment}` : `${parent}.${segment}`;
}

/**
 * Collects every problem found in the options, so the user fixes them all after one failed boot
 * instead of one per restart.
 */
export class ConfigProblems {
  private readonly found: string[] = [];

  add(path: string, message: string): void {
    this.found.push(`${path === '' ? 'options' : path}: ${message}`);
  }

  get count(): number {
    return this.found.length;
  }

  throwIfAny(): void {
    if (this.found.length > 0) this.fail();
  }

  fail(): never {
    throw new IamConfigurationError(this.found);
  }
}
