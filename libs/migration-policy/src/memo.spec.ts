import fc from 'fast-check';

import { frozenMemo, textMemo } from './memo.js';

describe('textMemo: the last results by text', () => {
  it('finds what was kept, and only that', () => {
    const memo = textMemo<number>(2, 10);
    expect(memo.find('a')).toBeUndefined();
    expect(memo.keep('a', 1)).toBe(1);
    expect(memo.find('a')).toBe(1);
    expect(memo.find('b')).toBeUndefined();
  });

  it('forgets the oldest past its size', () => {
    const memo = textMemo<number>(2, 10);
    memo.keep('a', 1);
    memo.keep('b', 2);
    memo.keep('c', 3);
    expect([memo.find('a'), memo.find('b'), memo.find('c')]).toEqual([undefined, 2, 3]);
  });

  it('does not keep a text longer than its bound, but still returns the result', () => {
    const memo = textMemo<number>(2, 3);
    expect(memo.keep('abcd', 4)).toBe(4);
    expect(memo.find('abcd')).toBeUndefined();
    memo.keep('abc', 3);
    expect(memo.find('abc')).toBe(3);
  });

  it('never changes an answer: find-or-compute over any sequence of texts equals computing each', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('', 'a', 'b', 'ab', 'abc', 'x'.repeat(5))),
        fc.integer({ min: 1, max: 4 }),
        (texts, size) => {
          const memo = textMemo<string>(size, 4);
          const compute = (t: string): string => `<${t}>`;
          for (const t of texts) expect(memo.find(t) ?? memo.keep(t, compute(t))).toBe(compute(t));
        },
      ),
    );
  });
});

describe('frozenMemo: what is derived from a frozen object, once', () => {
  it('derives once for a frozen object, and every time for one that may still change', () => {
    let calls = 0;
    const keys = frozenMemo((o: { readonly n: number }) => {
      calls += 1;
      return [o.n];
    });
    const frozen = Object.freeze({ n: 1 });
    expect(keys(frozen)).toBe(keys(frozen));
    expect(calls).toBe(1);
    const open = { n: 2 };
    expect(keys(open)).toEqual([2]);
    open.n = 3;
    expect(keys(open)).toEqual([3]);
    expect(calls).toBe(3);
  });
});
