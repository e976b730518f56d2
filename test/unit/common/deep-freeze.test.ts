import { describe, expect, it } from 'vitest';
import { deepFreeze } from '../../../src/common/deep-freeze.js';

const json =
  '{"sub":"u1","aud":["a",{"deep":[1,[2]]}],"meta":{"roles":["r"],"team":{"id":"t"}},"__proto__":{"x":1},"n":null}';

function everyObject(value: unknown, found: object[] = []): object[] {
  if (typeof value !== 'object' || value === null) return found;
  found.push(value);
  for (const member of Object.values(value)) everyObject(member, found);
  return found;
}

describe('deepFreeze', () => {
  it('freezes every object and array of parsed JSON in place, an own "__proto__" member included', () => {
    const parsed = JSON.parse(json) as Record<string, unknown>;
    expect(deepFreeze(parsed)).toBe(parsed);
    const objects = everyObject(parsed);
    expect(objects).toHaveLength(9);
    for (const object of objects) expect(Object.isFrozen(object)).toBe(true);
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(() => {
      ((parsed.meta as Record<string, string[]>).roles as string[]).push('admin');
    }).toThrow(TypeError);
    expect(parsed).toEqual(JSON.parse(json));
  });

  it('answers primitives and null as they are', () => {
    for (const value of ['s', 1, true, null, undefined]) expect(deepFreeze(value)).toBe(value);
  });

  it('drops keys whose value is undefined and leaves class instances unfrozen', () => {
    const instance = new Map<string, string>();
    const frozen = deepFreeze({ kept: 1, dropped: undefined, instance });
    expect(Object.keys(frozen)).toEqual(['kept', 'instance']);
    expect(Object.isFrozen(frozen)).toBe(true);
    expect(Object.isFrozen(instance)).toBe(false);
  });
});
