import { describe, expect, it } from 'vitest';
import { compileMatchUrl, matchUrl } from '../../../src/access-rules/match-pattern.js';
import type { RoutePath } from '../../../src/access-rules/route-path.js';

const ORIGIN = 'http://127.0.0.1:4455';

describe('matchUrl', () => {
  it('leaves exactly the excluded words out of a param, without lookahead', () => {
    const words = ['export', 'exports', 'ex', 'b', 'a.b'];
    const path: RoutePath = [
      { kind: 'literal', value: 'orders' },
      { kind: 'param', except: words },
    ];
    const url = matchUrl(ORIGIN, [path], 'regexp');
    expect(url).not.toContain('(?=');
    expect(url).not.toContain('(?!');
    const pattern = compileMatchUrl(url, 'regexp');
    const candidates = [
      ...words,
      'e',
      'exp',
      'expor',
      'exportss',
      'xexport',
      'bb',
      'a',
      'a.',
      'a.bc',
      '42',
      'exPort',
      'ex.port',
    ];
    for (const value of candidates) {
      expect(pattern.test(`${ORIGIN}/orders/${value}`), value).toBe(!words.includes(value));
    }
    expect(pattern.test(`${ORIGIN}/orders/`)).toBe(false);
    expect(pattern.test(`${ORIGIN}/orders/42/x`)).toBe(false);
  });

  it('quotes literal text in both strategies', () => {
    const path: RoutePath = [{ kind: 'literal', value: 'a.b+c' }, { kind: 'param' }];
    for (const strategy of ['regexp', 'glob'] as const) {
      const pattern = compileMatchUrl(matchUrl(ORIGIN, [path], strategy), strategy);
      expect(pattern.test(`${ORIGIN}/a.b+c/1`), strategy).toBe(true);
      expect(pattern.test(`${ORIGIN}/aXbbc/1`), strategy).toBe(false);
    }
  });
});
