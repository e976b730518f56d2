import { describe, expect, it } from 'vitest';
import { readClaimPath, rolesFromClaims } from '../../../src/identity/claim-path.js';

const DEFAULT_PATHS = ['metadataPublic.roles', 'metadata_public.roles'];

describe('readClaimPath', () => {
  it('follows dot paths through objects', () => {
    const claims = { a: { b: { c: 'deep' } }, tenant: 'acme' };
    expect(readClaimPath(claims, 'a.b.c')).toBe('deep');
    expect(readClaimPath(claims, 'tenant')).toBe('acme');
    expect(readClaimPath(claims, 'a.b')).toEqual({ c: 'deep' });
  });

  it('answers undefined for missing segments and non-object parents', () => {
    expect(readClaimPath({ a: 'text' }, 'a.length')).toBeUndefined();
    expect(readClaimPath({ a: ['x'] }, 'a.0')).toBeUndefined();
    expect(readClaimPath({ a: null }, 'a.b')).toBeUndefined();
    expect(readClaimPath({}, 'missing')).toBeUndefined();
    expect(readClaimPath('not an object', 'a')).toBeUndefined();
  });

  it('never reaches the prototype chain', () => {
    expect(readClaimPath({}, 'constructor')).toBeUndefined();
    expect(readClaimPath({}, '__proto__')).toBeUndefined();
    expect(readClaimPath({ a: {} }, 'a.toString')).toBeUndefined();
    const parsed = JSON.parse('{"__proto__":{"roles":["admin"]}}') as unknown;
    expect(readClaimPath(parsed, '__proto__.roles')).toEqual(['admin']);
    expect(readClaimPath({}, '__proto__.roles')).toBeUndefined();
  });
});

describe('rolesFromClaims', () => {
  it('reads the first default path that holds an array', () => {
    expect(rolesFromClaims({ metadataPublic: { roles: ['a'] } }, DEFAULT_PATHS)).toEqual(['a']);
    expect(rolesFromClaims({ metadata_public: { roles: ['b'] } }, DEFAULT_PATHS)).toEqual(['b']);
    expect(
      rolesFromClaims(
        { metadataPublic: { roles: ['first'] }, metadata_public: { roles: ['second'] } },
        DEFAULT_PATHS,
      ),
    ).toEqual(['first']);
  });

  it('skips a path whose value is not an array and tries the next', () => {
    const claims = { metadataPublic: { roles: 'admin' }, metadata_public: { roles: ['viewer'] } };
    expect(rolesFromClaims(claims, DEFAULT_PATHS)).toEqual(['viewer']);
  });

  it('drops entries that are not non-empty strings', () => {
    const claims = { metadataPublic: { roles: ['admin', 1, null, '', { r: 'x' }, ['y'], 'ops'] } };
    expect(rolesFromClaims(claims, DEFAULT_PATHS)).toEqual(['admin', 'ops']);
  });

  it('answers a frozen empty list when no path holds an array', () => {
    const roles = rolesFromClaims({ roles: ['admin'] }, DEFAULT_PATHS);
    expect(roles).toEqual([]);
    expect(Object.isFrozen(roles)).toBe(true);
    expect(
      Object.isFrozen(rolesFromClaims({ metadataPublic: { roles: ['a'] } }, DEFAULT_PATHS)),
    ).toBe(true);
  });

  it('uses custom paths', () => {
    expect(rolesFromClaims({ ext: { groups: ['g'] } }, ['ext.groups'])).toEqual(['g']);
  });
});
