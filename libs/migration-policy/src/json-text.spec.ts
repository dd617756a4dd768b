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
    expect(read('{"a":1,"b":{"c":1,"c":2},"d":[{"e":1},{"e":1,"e":2}],"a":3}').duplicates).toEqual([
      ['b', 'c'],
      ['d', '1', 'e'],
      ['a'],
    ]);
  });

  it('a string that looks like a key, or holds brackets, is not one', () => {
    expect(read('{"a":"{\\"a\\":1,\\"a\\":2}","b":"[[[[","c":"\\\\"}').duplicates).toEqual([]);
  });

  it('counts depth across objects and arrays, and stops at the bound', () => {
    const nest = (n: number) => `${'['.repeat(n - 1)}{}${']'.repeat(n - 1)}`;
    expect(readJsonText(nest(MAX_DEPTH)).ok).toBe(true);
    expect(readJsonText(nest(MAX_DEPTH + 1))).toEqual({ ok: false, problem: 'tooDeep' });
    expect(readJsonText(`${'['.repeat(50)}${']'.repeat(50)}${'['.repeat(60)}${']'.repeat(60)}`)).toMatchObject({
      ok: false,
      problem: 'syntax',
    });
  });

  it('leaves syntax to the JSON parser, with its reason', () => {
    expect(readJsonText('{"a":')).toMatchObject({
      ok: false,
      problem: 'syntax',
      reason: expect.stringMatching(/JSON/),
    });
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

  it('counts the last code point (U+10FFFF) as 4 bytes, and a lone high surrogate as 3 (U+FFFD), whatever follows it', () => {
    expect(readJsonText(`"${'\udbff\udfff'.repeat(262143)}"`).ok).toBe(true);
    // a lone high surrogate before a 3-byte character: 3 + 3, not a pair
    expect(readJsonText(`"${'\ud800€'.repeat(174762)}"`).ok).toBe(true);
    expect(readJsonText(`"${'\ud800€'.repeat(174763)}"`)).toEqual({ ok: false, problem: 'tooLong', bytes: 1048580 });
  });
});

describe('reading a JSON text: the scanner follows any layout', () => {
  it.each([
    ['spaces', '{ "a" : 1 , "a" : 2 }'],
    ['newlines and tabs', '{\n\t"a":\n\t1,\r\n\t"a":\t2\n}'],
    ['after true, false and null values', '{"x":true,"y":false,"z":null,"a":1,"a":2}'],
    ['after a number with exponent and fraction', '{"x":-1.5e+3,"a":1,"a":2}'],
    ['after an array of strings with escaped quotes', '{"x":["\\"a\\"",":",","],"a":1,"a":2}'],
    ['after a nested object', '{"x":{"a":1},"a":1,"a":2}'],
    ['after an array of objects', '{"x":[{"k":1},{"k":2}],"a":1,"a":2}'],
    ['with unicode escapes in the keys', '{"\\u0061":1,"a":2}'],
  ])('a duplicate is found %s', (_name, text) => {
    expect(read(text).duplicates).toEqual([['a']]);
  });

  it('keys in arrays of objects are counted per object, with the element index in the path', () => {
    expect(read('[{"a":1},{"a":1,"a":2}]').duplicates).toEqual([['1', 'a']]);
    expect(read('{"x":[[{"a":1,"a":2}]]}').duplicates).toEqual([['x', '0', '0', 'a']]);
  });

  it('a value that is a string is not taken for a key', () => {
    expect(read('{"a":"a","b":"a"}').duplicates).toEqual([]);
    expect(read('{"a":["a","a"]}').duplicates).toEqual([]);
  });

  it('keeps number texts only of direct members of the top-level object', () => {
    expect(read('{"a":1,"b":[2],"c":{"d":3},"e":-0.0e0}').numbers).toEqual({ a: '1', e: '-0.0e0' });
    expect(read('[1,2]').numbers).toEqual({});
  });

  it('keeps the text of each top-level string member written with an escape, and of no other string', () => {
    const r = readJsonText('{"a":"\\u0031Gi","b":"1Gi","c":{"d":"\\n"},"e":["\\t"],"f\\u0067":"x\\"y"}');
    expect(r.ok && Object.fromEntries(r.json.escapedStrings)).toEqual({ a: '"\\u0031Gi"', fg: '"x\\"y"' });
  });

  it('counts 2-, 3- and 4-byte characters at their boundaries', () => {
    const mib = 1024 * 1024;
    const at = (ch: string, n: number) =>
      readJsonText(`"${ch.repeat(n)}${'a'.repeat(mib - 2 - n * Buffer.byteLength(ch))}"`).ok;
    for (const ch of ['\u007f', '\u0080', '\u07ff', '\u0800', '\uffff', '\ud800\udc00']) {
      expect([ch, at(ch, 1)]).toEqual([ch, true]);
      const over = `"${ch}${'a'.repeat(mib - 2 - Buffer.byteLength(ch) + 1)}"`;
      expect([ch, readJsonText(over).ok]).toEqual([ch, false]);
    }
    // a lone high surrogate at the end counts as 3 bytes, as the UTF-8 encoder writes U+FFFD
    expect(readJsonText(`"${'a'.repeat(mib - 5)}\ud800"`).ok).toBe(true);
    expect(readJsonText(`"${'a'.repeat(mib - 4)}\ud800"`).ok).toBe(false);
  });

  it('a text exactly 1 MiB long in characters is measured, not refused for its length', () => {
    const mib = 1024 * 1024;
    expect(readJsonText(`"${'a'.repeat(mib - 2)}"`).ok).toBe(true);
    expect(readJsonText(`"${'a'.repeat(mib - 1)}"`)).toMatchObject({ ok: false, problem: 'tooLong' });
  });
});
