import fc from 'fast-check';

import { JsonNumber } from './json-text.js';
import { childPath, formatViolation, renderPath, violation } from './violation.js';

describe('violations as Kubernetes writes them', () => {
  it.each([
    ['FieldValueInvalid', 'Invalid value: 5: must be more'],
    ['FieldValueTypeInvalid', 'Invalid value: 5: must be more'],
    ['FieldValueNotSupported', 'Unsupported value: 5: must be more'],
    ['FieldValueForbidden', 'Forbidden: must be more'],
    ['FieldValueDuplicate', 'Duplicate value: 5: must be more'],
  ] as const)('%s reads %j, and keeps its path and detail as data', (reason, message) => {
    expect(violation(reason, ['value', 'x'], 5, 'must be more')).toEqual({
      reason,
      field: 'value.x',
      message,
      path: ['value', 'x'],
      detail: 'must be more',
    });
  });

  it('shows a value as JSON, a number as it was written, and cuts a long one at 64 characters', () => {
    const shown = (v: unknown) =>
      violation('FieldValueInvalid', ['f'], v, 'd')
        .message.replace(/^Invalid value: /, '')
        .replace(/: d$/, '');
    expect(shown('x')).toBe('"x"');
    expect(shown(undefined)).toBe('undefined');
    expect(shown(null)).toBe('null');
    expect(shown({ a: [1] })).toBe('{"a":[1]}');
    expect(shown(new JsonNumber('1e400', Infinity))).toBe('1e400');
    expect(shown('a'.repeat(62))).toBe(`"${'a'.repeat(62)}"`);
    expect(shown('a'.repeat(63))).toBe(`"${'a'.repeat(60)}...`);
    expect(shown('a'.repeat(63))).toHaveLength(64);
  });

  it('a value too deep to show is named so, never a crash', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100000; i++) deep = [deep];
    expect(violation('FieldValueInvalid', ['f'], deep, 'd').message).toBe(
      'Invalid value: (a value nested too deeply to show): d',
    );
  });

  it('formats as field: message', () => {
    expect(formatViolation({ field: 'value.network', message: 'Forbidden: no' })).toBe('value.network: Forbidden: no');
  });

  it.each([
    ['plain', 'value.plain'],
    ['with-dash_and_1', 'value.with-dash_and_1'],
    ['1starts', 'value["1starts"]'],
    ['has space', 'value["has space"]'],
    ['dot.ted', 'value["dot.ted"]'],
    ['', 'value[""]'],
  ])('the path of key %j is %s', (key, path) => {
    expect(childPath('value', key)).toBe(path);
    expect(renderPath(['value', key])).toBe(path);
  });

  it.each<[readonly string[], string]>([
    [['value'], 'value'],
    [['spec', 'configuration', 'migrations', 'progressTimeout'], 'spec.configuration.migrations.progressTimeout'],
    [['value', 'a', 'b c'], 'value.a["b c"]'],
  ])('the path %j renders as %s', (path, field) => {
    expect(renderPath(path)).toBe(field);
  });

  it('the rendering of a path loses no key: each key can be read back from it', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 4 }), (keys) => {
        const field = renderPath(['value', ...keys]);
        let rest = field.slice('value'.length);
        for (const key of keys) {
          const plain = `.${key}`;
          const quoted = `[${JSON.stringify(key)}]`;
          expect(rest.startsWith(plain) || rest.startsWith(quoted)).toBe(true);
          rest = rest.startsWith(quoted) ? rest.slice(quoted.length) : rest.slice(plain.length);
        }
        expect(rest).toBe('');
      }),
    );
  });
});
