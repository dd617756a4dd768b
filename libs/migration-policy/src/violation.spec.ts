import { JsonNumber } from './json-text.js';
import { childPath, formatViolation, violation } from './violation.js';

describe('violations as Kubernetes writes them', () => {
  it.each([
    ['FieldValueInvalid', 'Invalid value: 5: must be more'],
    ['FieldValueTypeInvalid', 'Invalid value: 5: must be more'],
    ['FieldValueNotSupported', 'Unsupported value: 5: must be more'],
    ['FieldValueForbidden', 'Forbidden: must be more'],
    ['FieldValueDuplicate', 'Duplicate value: 5: must be more'],
  ] as const)('%s reads %j', (reason, message) => {
    expect(violation(reason, 'value.x', 5, 'must be more')).toEqual({ reason, field: 'value.x', message });
  });

  it('shows a value as JSON, a number as it was written, and cuts a long one at 64 characters', () => {
    const shown = (v: unknown) =>
      violation('FieldValueInvalid', 'f', v, 'd')
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
    expect(violation('FieldValueInvalid', 'f', deep, 'd').message).toBe('Invalid value: (a value nested too deeply to show): d');
  });

  it('formats as field: message', () => {
    expect(formatViolation({ reason: 'FieldValueForbidden', field: 'value.network', message: 'Forbidden: no' })).toBe('value.network: Forbidden: no');
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
  });
});
