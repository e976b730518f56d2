import { closestName } from './closest-name.js';
import { type ConfigProblems, childPath } from './config-problems.js';
import { MAX_DURATION_MS } from './defaults.js';
import { describeValue } from './describe-value.js';

type ConfigObject = Readonly<Record<string, unknown>>;

/** RFC 9110 token: what a header name (and a cookie name) may consist of. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export interface StringRule {
  /** Describes the value by kind only in messages. */
  secret?: boolean;
  /** Must be an HTTP token (header and cookie names). */
  token?: boolean;
  minLength?: number;
}

export interface NumberRule {
  /** Smallest accepted value; durations default to 1, counts pass 0. */
  min?: number;
  max?: number;
  unit?: string;
}

function isConfigObject(value: unknown): value is ConfigObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * One object of the options being validated: reads its fields with their types, reports every
 * problem under the field's full path, and never throws. A field set to `undefined` counts as
 * absent, so `adminToken: process.env.KRATOS_ADMIN_TOKEN` behaves like leaving it out.
 */
export class ConfigSection {
  private constructor(
    readonly path: string,
    private readonly values: ConfigObject,
    readonly problems: ConfigProblems,
  ) {}

  /** The object at `path`, or undefined (with a problem) when `value` is not an object. */
  static of(value: unknown, path: string, problems: ConfigProblems): ConfigSection | undefined {
    if (isConfigObject(value)) return new ConfigSection(path, value, problems);
    problems.add(path, `must be an object, got ${describeValue(value, false)}`);
    return undefined;
  }

  pathOf(key: string): string {
    return childPath(this.path, key);
  }

  keys(): string[] {
    return Object.keys(this.values);
  }

  has(key: string): boolean {
    return Object.hasOwn(this.values, key) && this.values[key] !== undefined;
  }

  raw(key: string): unknown {
    return this.has(key) ? this.values[key] : undefined;
  }

  problem(key: string, message: string): void {
    this.problems.add(this.pathOf(key), message);
  }

  /** Every own key outside `known` is a problem: a typo must not silently fall back to a default. */
  allowOnly(known: readonly string[], hints: Readonly<Record<string, string>> = {}): void {
    for (const key of Object.keys(this.values)) {
      if (known.includes(key)) continue;
      const suggestion = closestName(key, known);
      const hint =
        hints[key] ?? (suggestion === undefined ? '' : ` (did you mean '${suggestion}'?)`);
      this.problem(key, `is not a known option${hint}`);
    }
  }

  /** A nested object; absent → undefined, wrong type → undefined with a problem. */
  section(key: string): ConfigSection | undefined {
    if (!this.has(key)) return undefined;
    return ConfigSection.of(this.values[key], this.pathOf(key), this.problems);
  }

  /** Reports `requirement` (e.g. "is required when ...") when the key is absent; true when present. */
  require(key: string, requirement = 'is required'): boolean {
    if (this.has(key)) return true;
    this.problem(key, requirement);
    return false;
  }

  string(key: string, rule: StringRule = {}): string | undefined {
    if (!this.has(key)) return undefined;
    const value = this.values[key];
    const secret = rule.secret === true;
    if (typeof value !== 'string') {
      this.problem(key, `must be a string, got ${describeValue(value, secret)}`);
      return undefined;
    }
    if (value.trim() === '') {
      this.problem(key, 'must not be empty');
      return undefined;
    }
    if (rule.minLength !== undefined && value.length < rule.minLength) {
      this.problem(key, `must be at least ${rule.minLength} characters long`);
      return undefined;
    }
    if (rule.token === true && !TOKEN.test(value)) {
      this.problem(
        key,
        `must be a valid HTTP header/cookie name, got ${describeValue(value, secret)}`,
      );
      return undefined;
    }
    return value;
  }

  /** A credential sent in an HTTP header: whitespace would be a copy-paste or trailing-newline slip. */
  credential(key: string): string | undefined {
    const value = this.string(key, { secret: true });
    if (value !== undefined && /\s/.test(value)) {
      this.problem(key, 'must not contain whitespace or line breaks (check how it is loaded)');
      return undefined;
    }
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    if (!this.has(key)) return fallback;
    const value = this.values[key];
    if (typeof value === 'boolean') return value;
    this.problem(key, `must be true or false, got ${describeValue(value, false)}`);
    return fallback;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T;
  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined;
  oneOf<T extends string>(key: string, allowed: readonly T[], fallback?: T): T | undefined {
    if (!this.has(key)) return fallback;
    const value = this.values[key];
    const match = allowed.find((candidate) => candidate === value);
    if (match !== undefined) return match;
    const choices = allowed.map((choice) => `'${choice}'`).join(', ');
    this.problem(key, `must be one of ${choices}, got ${describeValue(value, false)}`);
    return fallback;
  }

  /** An integer in [min, max]; durations (the default) must be positive and fit Node's timers. */
  integer(key: string, fallback: number, rule: NumberRule = {}): number {
    if (!this.has(key)) return fallback;
    const value = this.values[key];
    const min = rule.min ?? 1;
    const max = rule.max ?? MAX_DURATION_MS;
    const unit = rule.unit ?? 'milliseconds';
    const kind = min > 0 ? 'a positive integer' : 'a non-negative integer';
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      const hint = typeof value === 'string' ? '; convert environment values with Number()' : '';
      this.problem(key, `must be ${kind} (${unit}), got ${describeValue(value, false)}${hint}`);
      return fallback;
    }
    if (value < min) {
      this.problem(key, `must be ${kind} (${unit}), got ${value}`);
      return fallback;
    }
    if (value > max) {
      this.problem(key, `must be at most ${max} (${unit}), got ${value}`);
      return fallback;
    }
    return value;
  }

  /**
   * An absolute http(s) URL. The value is never echoed: URLs can carry credentials. Trailing
   * slashes are dropped from base URLs because the Ory SDK appends paths that start with `/`.
   */
  url(key: string, options: { base: boolean }): string | undefined {
    const value = this.string(key, { secret: true });
    if (value === undefined) return undefined;
    if (!value.includes('://')) {
      this.problem(key, 'must be an absolute URL starting with http:// or https://');
      return undefined;
    }
    const parsed = URL.canParse(value) ? new URL(value) : undefined;
    if (parsed === undefined) {
      this.problem(key, 'must be a valid URL (it does not parse)');
      return undefined;
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      this.problem(key, `must be an http or https URL, got protocol '${parsed.protocol}'`);
      return undefined;
    }
    if (parsed.username !== '' || parsed.password !== '') {
      this.problem(key, 'must not contain credentials; use the adminToken/apiKey option instead');
      return undefined;
    }
    return options.base ? value.replace(/\/+$/, '') : value;
  }

  /** A non-empty array of non-empty strings, or one string (which becomes a one-element array). */
  stringList(key: string): string[] | undefined {
    if (!this.has(key)) return undefined;
    const value = this.values[key];
    const items = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(items)) {
      this.problem(
        key,
        `must be a string or an array of strings, got ${describeValue(value, false)}`,
      );
      return undefined;
    }
    if (items.length === 0) {
      this.problem(key, 'must not be empty');
      return undefined;
    }
    const path = this.pathOf(key);
    const strings: string[] = [];
    items.forEach((item: unknown, index) => {
      if (typeof item === 'string' && item.trim() !== '') {
        strings.push(item);
      } else {
        this.problems.add(
          childPath(path, index),
          `must be a non-empty string, got ${describeValue(item, false)}`,
        );
      }
    });
    return strings.length === items.length ? strings : undefined;
  }

  /**
   * An object (or class instance) with the named methods, `claim?` marking an optional one.
   * Returned as given, never copied or frozen: it is the user's live object.
   */
  implementation<T extends object>(
    key: string,
    names: readonly string[],
    description: string,
  ): T | undefined {
    if (!this.has(key)) return undefined;
    const value = this.values[key];
    if (!isConfigObject(value)) {
      this.problem(key, `must be ${description}, got ${describeValue(value, false)}`);
      return undefined;
    }
    let valid = true;
    for (const name of names) {
      const optional = name.endsWith('?');
      const method = optional ? name.slice(0, -1) : name;
      const member = value[method];
      if (typeof member === 'function' || (optional && member === undefined)) continue;
      valid = false;
      const status = member === undefined ? 'it is missing' : `got ${describeValue(member, false)}`;
      this.problems.add(childPath(this.pathOf(key), method), `must be a function (${status})`);
    }
    return valid ? (value as T) : undefined;
  }
}
