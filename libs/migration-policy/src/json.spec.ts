import { at, describeJsonType, isRecord, own } from './json.js';

describe('reading JSON of unknown shape', () => {
  it.each([
    [null, 'null'],
    [[1], 'an array'],
    [{}, 'an object'],
    ['x', 'a string'],
    [5, 'a number'],
    [true, 'a boolean'],
  ])('%j is %s', (u, described) => {
    expect(describeJsonType(u)).toBe(described);
  });

  it('only plain objects are records', () => {
    expect([{}, { a: 1 }].every(isRecord)).toBe(true);
    expect([null, [], 'x', 1, undefined].some(isRecord)).toBe(false);
  });

  it('reads own properties only, never inherited ones', () => {
    expect(own({ a: 1 }, 'a')).toBe(1);
    expect(own({}, 'toString')).toBeUndefined();
    expect(own({}, '__proto__')).toBeUndefined();
    expect(at({ a: { b: { c: 3 } } }, 'a', 'b', 'c')).toBe(3);
    expect(at({ a: { b: [1] } }, 'a', 'b', '0')).toBeUndefined();
    expect(at({ a: 'x' }, 'a', 'length')).toBeUndefined();
    expect(at(undefined, 'a')).toBeUndefined();
    expect(at({ a: 1 })).toEqual({ a: 1 });
  });
});
