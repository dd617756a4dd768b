import { MAX_DEPTH, readJsonText } from './json-text.js';

const read = (text: string) => {
  const r = readJsonText(text);
  if (!r.ok) throw new Error(`not read: ${r.problem}`);
  return { duplicates: r.json.duplicates, numbers: Object.fromEntries(r.json.numbers), value: r.json.value };
};

describe('reading a JSON text within bounds', () => {
  it('keeps the number texts of the top-level object as written', () => {
    expect(read('{"a": 1e400, "b": -0.50, "c": {"d": 7}, "e": [8], "f": "9", "g": true, "h": null, "i": 2}')).toEqual({
      duplicates: [],
      numbers: { a: '1e400', b: '-0.50', i: '2' },
      value: { a: Infinity, b: -0.5, c: { d: 7 }, e: [8], f: '9', g: true, h: null, i: 2 },
    });
  });

  it('finds duplicates at any depth, with their paths, in arrays too', () => {
    expect(read('{"a":1,"b":{"c":1,"c":2},"d":[{"e":1},{"e":1,"e":2}],"a":3}').duplicates).toEqual([['b', 'c'], ['d', '1', 'e'], ['a']]);
  });

  it('a string that looks like a key, or holds brackets, is not one', () => {
    expect(read('{"a":"{\\"a\\":1,\\"a\\":2}","b":"[[[[","c":"\\\\"}').duplicates).toEqual([]);
  });

  it('counts depth across objects and arrays, and stops at the bound', () => {
    const nest = (n: number) => `${'['.repeat(n - 1)}{}${']'.repeat(n - 1)}`;
    expect(readJsonText(nest(MAX_DEPTH)).ok).toBe(true);
    expect(readJsonText(nest(MAX_DEPTH + 1))).toEqual({ ok: false, problem: 'tooDeep' });
    expect(readJsonText(`${'['.repeat(50)}${']'.repeat(50)}${'['.repeat(60)}${']'.repeat(60)}`)).toMatchObject({ ok: false, problem: 'syntax' });
  });

  it('leaves syntax to the JSON parser, with its reason', () => {
    expect(readJsonText('{"a":')).toMatchObject({ ok: false, problem: 'syntax', reason: expect.stringMatching(/JSON/) });
    expect(readJsonText('{"a":tru}')).toMatchObject({ ok: false, problem: 'syntax' });
    expect(readJsonText('')).toMatchObject({ ok: false, problem: 'syntax' });
  });

  it('measures length in UTF-8 bytes: surrogate pairs are 4, other characters up to 3', () => {
    const mib = 1024 * 1024;
    expect(readJsonText(`"${'a'.repeat(mib - 2)}"`).ok).toBe(true);
    expect(readJsonText(`"${'a'.repeat(mib - 1)}"`)).toEqual({ ok: false, problem: 'tooLong', bytes: mib + 1 });
    expect(readJsonText(`"${'😀'.repeat(262143)}"`).ok).toBe(true);
    expect(readJsonText(`"${'😀'.repeat(262144)}"`)).toMatchObject({ ok: false, problem: 'tooLong' });
    expect(readJsonText(`"${'€'.repeat(349524)}"`).ok).toBe(true);
    expect(readJsonText(`"${'€'.repeat(349525)}"`)).toMatchObject({ ok: false, problem: 'tooLong' });
    expect(readJsonText(`"${'é'.repeat(524287)}"`).ok).toBe(true);
    expect(readJsonText(`"${'é'.repeat(524288)}"`)).toMatchObject({ ok: false, problem: 'tooLong' });
  });
});
