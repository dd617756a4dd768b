import * as E from 'fp-ts/lib/Either.js';

import { applyPatch, guardedByResourceVersion, pointer, resourceVersionGuard } from './patch.js';

describe('JSON Patch', () => {
  it('applies to a copy, all or nothing, and never mutates its input', () => {
    const doc = { a: { b: 1 }, list: [1] };
    expect(applyPatch(doc, [{ op: 'replace', path: '/a/b', value: 2 }])).toEqual(E.right({ a: { b: 2 }, list: [1] }));
    expect(doc).toEqual({ a: { b: 1 }, list: [1] });
    const failed = applyPatch(doc, [
      { op: 'add', path: '/list/-', value: 2 },
      { op: 'test', path: '/a/b', value: 3 },
    ]);
    expect(E.isLeft(failed)).toBe(true);
    expect(doc).toEqual({ a: { b: 1 }, list: [1] });
  });

  it('says why a patch does not apply, in one line', () => {
    const r = applyPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }]);
    expect(E.isLeft(r) && r.left).toMatch(/^Test operation failed$/);
    expect(E.isLeft(r) && r.left.includes('\n')).toBe(false);
  });

  it.each([['/__proto__/polluted'], ['/constructor/prototype/polluted']])(
    'refuses a path that would pollute prototypes (%s)',
    (path) => {
      const r = applyPatch({}, [{ op: 'add', path, value: true }]);
      expect(E.isLeft(r)).toBe(true);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    },
  );

  it('validates operations: an unknown op is refused', () => {
    expect(E.isLeft(applyPatch({}, [{ op: 'bogus', path: '/a' } as never]))).toBe(true);
  });

  it('escapes pointer segments', () => {
    expect(pointer('metadata', 'annotations', 'harvesterhci.io/hash')).toBe(
      '/metadata/annotations/harvesterhci.io~1hash',
    );
    expect(pointer('a~b')).toBe('/a~0b');
    expect(pointer()).toBe('');
  });

  it.each([
    [
      'a resourceVersion',
      { metadata: { resourceVersion: '5' } },
      { op: 'test', path: '/metadata/resourceVersion', value: '5' },
    ],
    ['an empty one', { metadata: { resourceVersion: '' } }, undefined],
    ['a number', { metadata: { resourceVersion: 5 } }, undefined],
    ['none', {}, undefined],
  ])('the guard of an object with %s', (_name, obj, guard) => {
    expect(resourceVersionGuard(obj)).toEqual(guard);
  });

  it('guards only a patch that does something', () => {
    const obj = { metadata: { resourceVersion: '5' } };
    expect(guardedByResourceVersion(obj, [])).toEqual([]);
    expect(guardedByResourceVersion(obj, [{ op: 'remove', path: '/a' }])).toHaveLength(2);
    expect(guardedByResourceVersion({}, [{ op: 'remove', path: '/a' }])).toEqual([{ op: 'remove', path: '/a' }]);
  });
});
