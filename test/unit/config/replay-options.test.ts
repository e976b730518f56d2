/**
 * The replay options of issue 14: a maximum token age (so jtis are held for a bounded time) and the
 * in-memory cache's per-tenant bound and per-subject share, validated at boot with every problem
 * listed by path.
 */
import { describe, expect, it } from 'vitest';
import { validateIamOptions } from '../../../src/config/validate-options.js';
import { problemsOf, withTenant } from './fixtures.js';

const base = { jwks: { url: 'http://127.0.0.1:4456/.well-known/jwks.json' }, audience: 'a' };
const PATH = 'tenants.default.oathkeeper.replayProtection';

function replayOf(replayProtection: Record<string, unknown>) {
  const options = withTenant({
    transport: 'oathkeeper',
    oathkeeper: { ...base, replayProtection },
  });
  return validateIamOptions(options).tenants.default?.oathkeeper?.replayProtection;
}

function replayProblems(replayProtection: Record<string, unknown>): readonly string[] {
  return problemsOf(
    withTenant({ transport: 'oathkeeper', oathkeeper: { ...base, replayProtection } }),
  );
}

describe('replayProtection: maxTokenAgeMs, maxEntries, maxSubjectSharePercent', () => {
  it('keeps values that are given, and false to lift the token age limit', () => {
    expect(
      replayOf({
        enabled: true,
        maxTokenAgeMs: 5_000,
        maxEntries: 2_000,
        maxSubjectSharePercent: 100,
      }),
    ).toMatchObject({ maxTokenAgeMs: 5_000, maxEntries: 2_000, maxSubjectSharePercent: 100 });
    expect(replayOf({ enabled: true, maxTokenAgeMs: false })?.maxTokenAgeMs).toBe(false);
  });

  it('lists every bad value in one error, by path', () => {
    expect(
      replayProblems({
        enabled: true,
        maxTokenAgeMs: true,
        maxEntries: 0,
        maxSubjectSharePercent: 101,
      }),
    ).toEqual([
      `${PATH}.maxTokenAgeMs: must be a positive integer (milliseconds, or false for no limit), got true`,
      `${PATH}.maxEntries: must be a positive integer (token ids), got 0`,
      `${PATH}.maxSubjectSharePercent: must be at most 100 (percent), got 101`,
    ]);
    expect(
      replayProblems({ enabled: true, maxTokenAgeMs: 0, maxSubjectSharePercent: 0.5 }),
    ).toEqual([
      `${PATH}.maxTokenAgeMs: must be a positive integer (milliseconds, or false for no limit), got 0`,
      `${PATH}.maxSubjectSharePercent: must be a positive integer (percent), got 0.5`,
    ]);
  });

  it('refuses a bound the cache cannot index', () => {
    expect(replayProblems({ enabled: true, maxEntries: 2 ** 31 })).toEqual([
      `${PATH}.maxEntries: must be at most 1073741824 (token ids), got 2147483648`,
    ]);
  });

  it('suggests the name of a misspelt option', () => {
    expect(replayProblems({ enabled: true, maxTokenAge: 5 })).toEqual([
      `${PATH}.maxTokenAge: is not a known option (did you mean 'maxTokenAgeMs'?)`,
    ]);
  });
});
