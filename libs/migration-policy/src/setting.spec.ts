import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';

import { decodeConfigObject } from './config.js';
import {
  decodeSetting,
  defaultConfig,
  effectiveSource,
  effectiveText,
  HARVESTER_DEFAULT,
  isBlank,
  viewSetting,
} from './setting.js';
import { setting, SUPPORTED_170 } from './testing/fixtures.js';
import { type CauseType, renderPath } from './violation.js';

type Expect = readonly (readonly [CauseType, string])[];
const causes = (obj: unknown, supported?: ReadonlySet<string>): Expect => {
  const r = decodeSetting(obj, supported);
  return E.isLeft(r) ? r.left.map((v) => [v.reason, v.field] as const) : [];
};
const config = (obj: unknown): unknown => {
  const r = decodeSetting(obj);
  return E.isRight(r) ? r.right : r.left;
};

describe('effective text', () => {
  it.each([
    [undefined, 'D', 'D'],
    ['', 'D', 'D'],
    ['  \n\t', 'D', 'D'],
    ['\u00a0', 'D', 'D'],
    ['{"a":1}', 'D', '{"a":1}'],
    ['', '', '{}'],
    [undefined, undefined, '{}'],
    [' ', ' ', '{}'],
  ])('value %j with default %j is %j', (value, dflt, expected) => {
    expect(effectiveText({ value, default: dflt })).toBe(expected);
  });

  it('blank means empty or only white space, as Go trims it', () => {
    expect(isBlank(' \r\n\v\f\u2028\u3000')).toBe(true);
    expect(isBlank('\ufeff')).toBe(false);
    expect(isBlank('{}')).toBe(false);
  });
});

describe('decoding the setting: HEP test plan (1) a wrong schema is rejected', () => {
  it.each<[string, string, Expect]>([
    ['text that is not JSON', '{"parallelMigrationsPerCluster":', [['FieldValueInvalid', 'value']]],
    ['the text null', 'null', [['FieldValueTypeInvalid', 'value']]],
    ['an array', '[1]', [['FieldValueTypeInvalid', 'value']]],
    ['a number', '5', [['FieldValueTypeInvalid', 'value']]],
    [
      'an unknown key',
      '{"parallelMigrationPerCluster":5}',
      [['FieldValueNotSupported', 'value.parallelMigrationPerCluster']],
    ],
    ['a key in the wrong case', '{"AllowPostCopy":true}', [['FieldValueNotSupported', 'value.AllowPostCopy']]],
    ['an integer as a string', '{"progressTimeout":"150"}', [['FieldValueTypeInvalid', 'value.progressTimeout']]],
    ['a fraction for an integer', '{"progressTimeout":5.5}', [['FieldValueTypeInvalid', 'value.progressTimeout']]],
    ['a boolean for an integer', '{"progressTimeout":true}', [['FieldValueTypeInvalid', 'value.progressTimeout']]],
    [
      'zero parallel migrations',
      '{"parallelMigrationsPerCluster":0}',
      [['FieldValueInvalid', 'value.parallelMigrationsPerCluster']],
    ],
    [
      'int32 overflow',
      '{"parallelOutboundMigrationsPerNode":2147483648}',
      [['FieldValueInvalid', 'value.parallelOutboundMigrationsPerNode']],
    ],
    ['a negative timeout', '{"completionTimeoutPerGiB":-1}', [['FieldValueInvalid', 'value.completionTimeoutPerGiB']]],
    [
      'an integer with a fraction part, which Go cannot decode',
      '{"parallelMigrationsPerCluster":5.0}',
      [['FieldValueTypeInvalid', 'value.parallelMigrationsPerCluster']],
    ],
    [
      'an integer with an exponent, which Go cannot decode',
      '{"completionTimeoutPerGiB":1e3}',
      [['FieldValueTypeInvalid', 'value.completionTimeoutPerGiB']],
    ],
    [
      'a quantity written with a JSON escape',
      '{"bandwidthPerMigration":"\\u0031Gi"}',
      [['FieldValueInvalid', 'value.bandwidthPerMigration']],
    ],
    [
      'zero for a timeout that 0 does not turn off',
      '{"utilityVolumesTimeout":0}',
      [['FieldValueInvalid', 'value.utilityVolumesTimeout']],
    ],
    ['a timeout past 2^53-1', '{"progressTimeout":9007199254740992}', [['FieldValueInvalid', 'value.progressTimeout']]],
    ['maxDowntimeMs past its bound', '{"maxDowntimeMs":2000001}', [['FieldValueInvalid', 'value.maxDowntimeMs']]],
    ['a string for a boolean', '{"allowPostCopy":"true"}', [['FieldValueTypeInvalid', 'value.allowPostCopy']]],
    ['a number for a boolean', '{"disableTLS":0}', [['FieldValueTypeInvalid', 'value.disableTLS']]],
    ['a milli quantity', '{"bandwidthPerMigration":"1m"}', [['FieldValueInvalid', 'value.bandwidthPerMigration']]],
    [
      'a fractional quantity',
      '{"bandwidthPerMigration":"0.5"}',
      [['FieldValueInvalid', 'value.bandwidthPerMigration']],
    ],
    [
      'a fractional number quantity',
      '{"bandwidthPerMigration":0.5}',
      [['FieldValueInvalid', 'value.bandwidthPerMigration']],
    ],
    ['a negative quantity', '{"bandwidthPerMigration":"-1Mi"}', [['FieldValueInvalid', 'value.bandwidthPerMigration']]],
    [
      'a quantity with spaces',
      '{"bandwidthPerMigration":" 64Mi"}',
      [['FieldValueInvalid', 'value.bandwidthPerMigration']],
    ],
    [
      'a quantity past int64',
      '{"bandwidthPerMigration":"8Ei"}',
      [['FieldValueInvalid', 'value.bandwidthPerMigration']],
    ],
    [
      'a huge exponent',
      '{"bandwidthPerMigration":"1e999999999"}',
      [['FieldValueInvalid', 'value.bandwidthPerMigration']],
    ],
    [
      'a boolean quantity',
      '{"bandwidthPerMigration":true}',
      [['FieldValueTypeInvalid', 'value.bandwidthPerMigration']],
    ],
    ['a network that is not a string', '{"network":5}', [['FieldValueTypeInvalid', 'value.network']]],
    ['a __proto__ key', '{"__proto__":{"x":1}}', [['FieldValueNotSupported', 'value.__proto__']]],
    ['a key with a dot', '{"a.b":1}', [['FieldValueNotSupported', 'value["a.b"]']]],
  ])('%s', (_name, value, expected) => {
    expect(causes(setting(value))).toEqual(expected);
  });

  it('returns every violation of value and default together, in order', () => {
    const obj = setting('{"parallelMigrationsPerCluster":0,"allowPostCopy":"yes","bogus":1}', {
      default: '{"progressTimeout":-1}',
    });
    expect(causes(obj)).toEqual([
      ['FieldValueNotSupported', 'value.bogus'],
      ['FieldValueInvalid', 'value.parallelMigrationsPerCluster'],
      ['FieldValueTypeInvalid', 'value.allowPostCopy'],
      ['FieldValueInvalid', 'default.progressTimeout'],
    ]);
  });

  it('a broken default is reported even while value is in effect', () => {
    expect(causes(setting('{}', { default: 'nope' }))).toEqual([['FieldValueInvalid', 'default']]);
  });

  it('a value or default that is not a string is a type error', () => {
    expect(causes({ metadata: { name: 'kubevirt-migration' }, value: 5 })).toEqual([
      ['FieldValueTypeInvalid', 'value'],
    ]);
    expect(causes({ metadata: { name: 'kubevirt-migration' }, default: {} })).toEqual([
      ['FieldValueTypeInvalid', 'default'],
    ]);
  });

  it('suggests the nearest known key, not the whole list', () => {
    const r = decodeSetting(setting('{"parallelMigrationPerCluster":5}'));
    expect(E.isLeft(r) && r.left[0]?.message).toBe(
      'Unsupported value: "parallelMigrationPerCluster": unknown option; did you mean "parallelMigrationsPerCluster"?',
    );
    const r2 = decodeSetting(setting('{"bandwith":5}'));
    expect(E.isLeft(r2) && r2.left[0]?.message).toContain('did you mean "bandwidthPerMigration"?');
  });

  it('messages say what is wrong and what is accepted', () => {
    const r = decodeSetting(setting('{"parallelMigrationsPerCluster":0,"bandwidthPerMigration":"1m"}'));
    expect(E.isLeft(r) && r.left.map((v) => v.message)).toEqual([
      'Invalid value: 0: must be from 1 to 2147483647',
      'Invalid value: "1m": must be a whole number of bytes per second (KubeVirt would round it): use a whole number of bytes per second, such as 0 (no limit), 64Mi, 1Gi or 500M',
    ]);
  });
});

describe('violations are data: a path of keys and a detail, rendered once into field and message', () => {
  const violations = (obj: unknown) => {
    const r = decodeSetting(obj);
    return E.isLeft(r) ? r.left : [];
  };

  it.each<[string, unknown, readonly (readonly string[])[]]>([
    ['not JSON: the text itself', setting('{'), [['value']]],
    ['an option', setting('{"progressTimeout":-1}'), [['value', 'progressTimeout']]],
    ['a key that is not an identifier, kept as written', setting('{"a.b":1}'), [['value', 'a.b']]],
    [
      'a key written twice inside a nested object',
      setting('{"x":{"a":1,"a":2}}'),
      [
        ['value', 'x', 'a'],
        ['value', 'x'],
      ],
    ],
    ['the default', setting('', { default: '{"bogus":1}' }), [['default', 'bogus']]],
    ['a value that is not a string', { metadata: { name: 'kubevirt-migration' }, value: 5 }, [['value']]],
  ])('%s', (_name, obj, paths) => {
    expect(violations(obj).map((v) => v.path)).toEqual(paths);
  });

  it('the detail is what is wrong, without the value; the message adds the value', () => {
    expect(violations(setting('{"parallelMigrationsPerCluster":0}'))).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'value.parallelMigrationsPerCluster',
        message: 'Invalid value: 0: must be from 1 to 2147483647',
        path: ['value', 'parallelMigrationsPerCluster'],
        detail: 'must be from 1 to 2147483647',
      },
    ]);
  });

  it('for any text, each field is its path rendered and each message ends with its detail', () => {
    const key = fc.oneof(
      fc.constantFrom('progressTimeout', 'bandwidthPerMigration', 'network', 'allowPostCopy'),
      fc.string({ maxLength: 6 }),
    );
    const text = fc.oneof(
      fc.dictionary(key, fc.jsonValue({ maxDepth: 2 })).map((o) => JSON.stringify(o)),
      fc.json({ maxDepth: 2 }),
      fc.string({ maxLength: 20 }),
    );
    fc.assert(
      fc.property(text, text, (value, dflt) => {
        for (const v of violations(setting(value, { default: dflt }))) {
          expect(['value', 'default']).toContain(v.path[0]);
          expect(v.field).toBe(renderPath(v.path));
          expect(v.message.endsWith(`: ${v.detail}`)).toBe(true);
        }
      }),
    );
  });
});

describe('protected keys: HEP test plan (2) nodeDrainTaintKey and (3) network are rejected', () => {
  it.each([
    ['nodeDrainTaintKey', 'example.com/drain'],
    ['nodeDrainTaintKey', 'kubevirt.io/drain'],
    ['network', 'migration-net'],
  ])('%s set to %j is forbidden', (key, v) => {
    expect(causes(setting(JSON.stringify({ [key]: v })))).toEqual([['FieldValueForbidden', `value.${key}`]]);
  });

  it.each([['{"nodeDrainTaintKey":""}'], ['{"network":""}'], ['{"network":null,"nodeDrainTaintKey":null}']])(
    '%s is accepted',
    (value) => {
      expect(causes(setting(value))).toEqual([]);
    },
  );
});

describe('options the installed CRD does not list', () => {
  it('utilityVolumesTimeout and maxDowntimeMs are refused by a 1.7.0 CRD, value and default alike', () => {
    const obj = setting('{"utilityVolumesTimeout":"x"}', { default: '{"maxDowntimeMs":900}' });
    expect(causes(obj, SUPPORTED_170)).toEqual([
      ['FieldValueNotSupported', 'value.utilityVolumesTimeout'],
      ['FieldValueNotSupported', 'default.maxDowntimeMs'],
    ]);
  });

  it('a null is absent, but its key must still be one the CRD lists (Go decodes it strictly as an unknown field)', () => {
    expect(causes(setting('{"maxDowntimeMs":null}'), SUPPORTED_170)).toEqual([
      ['FieldValueNotSupported', 'value.maxDowntimeMs'],
    ]);
    expect(causes(setting('{"bogus":null}'))).toEqual([['FieldValueNotSupported', 'value.bogus']]);
    expect(causes(setting('{"progressTimeout":null}'), SUPPORTED_170)).toEqual([]);
  });

  it('without a known CRD every option of the table is accepted', () => {
    expect(causes(setting('{"maxDowntimeMs":900,"utilityVolumesTimeout":150}'))).toEqual([]);
  });
});

describe('decoding the setting: success rows', () => {
  it("Harvester's default text decodes to its eleven options", () => {
    expect(config(setting(undefined))).toEqual(JSON.parse(HARVESTER_DEFAULT));
  });

  it.each<[string, unknown]>([
    ['{}', {}],
    ['{"parallelMigrationsPerCluster":5}', { parallelMigrationsPerCluster: 5 }],
    ['{"progressTimeout":0,"completionTimeoutPerGiB":-0}', { progressTimeout: 0, completionTimeoutPerGiB: -0 }],
    ['{"progress\\u0054imeout":5,"disableTLS":false}', { progressTimeout: 5, disableTLS: false }],
    ['{"parallelMigrationsPerCluster":2147483647}', { parallelMigrationsPerCluster: 2147483647 }],
    ['{"progressTimeout":9007199254740991}', { progressTimeout: 9007199254740991 }],
    ['{"bandwidthPerMigration":"64Mi"}', { bandwidthPerMigration: '64Mi' }],
    ['{"bandwidthPerMigration":"1.5Ki"}', { bandwidthPerMigration: '1.5Ki' }],
    ['{"bandwidthPerMigration":"1e3"}', { bandwidthPerMigration: '1e3' }],
    ['{"bandwidthPerMigration":1048576}', { bandwidthPerMigration: 1048576 }],
    ['{"bandwidthPerMigration":"0"}', { bandwidthPerMigration: '0' }],
    ['{"bandwidthPerMigration":"8Ei"}'.replace('8Ei', '7Ei'), { bandwidthPerMigration: '7Ei' }],
    ['{"allowPostCopy":true,"allowAutoConverge":null}', { allowPostCopy: true }],
    ['{"network":"","nodeDrainTaintKey":""}', { network: '', nodeDrainTaintKey: '' }],
    ['  {"maxDowntimeMs":1}  ', { maxDowntimeMs: 1 }],
  ])('%s decodes', (value, expected) => {
    expect(config(setting(value))).toEqual(expected);
  });

  it('a blank value falls back to default, and both blank to {}', () => {
    expect(config(setting('  ', { default: '{"progressTimeout":7}' }))).toEqual({ progressTimeout: 7 });
    expect(config(setting('', { default: '' }))).toEqual({});
  });
});

describe('decoding the setting: the text itself (docs/semantics.md §2, §3)', () => {
  const messages = (value: string): readonly string[] => {
    const r = decodeSetting(setting(value));
    return E.isLeft(r) ? r.left.map((v) => `${v.reason} ${v.field}: ${v.message}`) : [];
  };

  it('a key written twice is a violation, even when both are valid, and an invalid earlier one is still reported', () => {
    expect(messages('{"progressTimeout":60,"progressTimeout":60}')).toEqual([
      'FieldValueDuplicate value.progressTimeout: Duplicate value: "progressTimeout": the key is written more than once; give it once',
    ]);
    expect(causes(setting('{"progressTimeout":"x","progressTimeout":60}'))).toEqual([
      ['FieldValueDuplicate', 'value.progressTimeout'],
    ]);
    expect(causes(setting('{"a":1,"a":2,"a":3}'))).toEqual([
      ['FieldValueDuplicate', 'value.a'],
      ['FieldValueDuplicate', 'value.a'],
      ['FieldValueNotSupported', 'value.a'],
    ]);
  });

  it('a key spelt with an escape is the same key', () => {
    expect(causes(setting('{"progressTimeout":60,"progress\\u0054imeout":60}'))).toEqual([
      ['FieldValueDuplicate', 'value.progressTimeout'],
    ]);
  });

  it('the same key in two different objects is no duplicate', () => {
    expect(causes(setting('{"x":{"a":1},"y":{"a":1}}'))).toEqual([
      ['FieldValueNotSupported', 'value.x'],
      ['FieldValueNotSupported', 'value.y'],
    ]);
  });

  it('a nested duplicate names its path', () => {
    expect(causes(setting('{"x":{"a":1,"a":2}}'))).toEqual([
      ['FieldValueDuplicate', 'value.x.a'],
      ['FieldValueNotSupported', 'value.x'],
    ]);
  });

  it('a text nested deeper than 100 levels is one violation of its field, never a crash', () => {
    const deep = (n: number) => `{"progressTimeout":${'['.repeat(n)}${']'.repeat(n)}}`;
    expect(messages(deep(5000))).toEqual([
      expect.stringMatching(
        /^FieldValueInvalid value: Invalid value: "\{.*\.\.\.: must be a JSON object of migration options; it is nested deeper than 100 levels$/,
      ),
    ]);
    expect(causes(setting(deep(99)))).toEqual([['FieldValueTypeInvalid', 'value.progressTimeout']]);
    expect(causes(setting(deep(100)))).toEqual([['FieldValueInvalid', 'value']]);
    expect(causes(setting(`${'{"a":'.repeat(200000)}1${'}'.repeat(200000)}`))).toEqual([
      ['FieldValueInvalid', 'value'],
    ]);
  });

  it('a text longer than 1 MiB is one violation, counted in UTF-8 bytes', () => {
    const long = `{"x":"${'a'.repeat(1024 * 1024)}"}`;
    expect(messages(long)[0]).toMatch(
      /^FieldValueInvalid value: Invalid value: ".*\.\.\.: must be at most 1048576 bytes of JSON, not 1048584$/,
    );
    const wide = `{"x":"${'é'.repeat(524285)}"}`;
    expect(wide.length).toBeLessThan(1024 * 1024);
    expect(causes(setting(wide))).toEqual([['FieldValueInvalid', 'value']]);
    expect(causes(setting(`{"x":"${'é'.repeat(524283)}"}`))).toEqual([['FieldValueNotSupported', 'value.x']]);
  });

  it.each([
    [
      '2^64 for an int32',
      '{"parallelMigrationsPerCluster":18446744073709551616}',
      'Invalid value: 18446744073709551616: must be from 1 to 2147483647',
    ],
    ['1e400', '{"progressTimeout":1e400}', 'Invalid value: 1e400: must be from 0 to 9007199254740991'],
    [
      '-1e400',
      '{"progressTimeout":-1e400}',
      'Invalid value: -1e400: must not be negative: use an integer from 0 to 9007199254740991',
    ],
    ['1e-400', '{"progressTimeout":1e-400}', 'Invalid value: 1e-400: must be an integer from 0 to 9007199254740991'],
    [
      '2^53 exactly',
      '{"progressTimeout":9007199254740992}',
      'Invalid value: 9007199254740992: must be from 0 to 9007199254740991',
    ],
    [
      '2^53+1, which a double rounds down',
      '{"progressTimeout":9007199254740993}',
      'Invalid value: 9007199254740993: must be from 0 to 9007199254740991',
    ],
    [
      'a fraction a double rounds to a whole number',
      '{"progressTimeout":5.0000000000000001}',
      'Invalid value: 5.0000000000000001: must be an integer from 0 to 9007199254740991',
    ],
    [
      "a negative timeout, in KubeVirt's words",
      '{"progressTimeout":-1}',
      'Invalid value: -1: must not be negative: use an integer from 0 to 9007199254740991',
    ],
    [
      'a whole number with a fraction part',
      '{"parallelMigrationsPerCluster":5.0}',
      'Invalid value: 5.0: must be an integer written as plain digits, without a fraction or exponent, as Go decodes it: write 5',
    ],
    [
      'a whole number with an exponent',
      '{"completionTimeoutPerGiB":1e3}',
      'Invalid value: 1e3: must be an integer written as plain digits, without a fraction or exponent, as Go decodes it: write 1000',
    ],
    [
      'a quantity string with a JSON escape',
      '{"bandwidthPerMigration":"\\u0031Gi"}',
      'Invalid value: "1Gi": is written with a JSON escape ("\\u0031Gi"), which KubeVirt\'s quantity parser does not undo: write "1Gi"',
    ],
    [
      '2^63 bytes per second',
      '{"bandwidthPerMigration":9223372036854775808}',
      'Invalid value: 9223372036854775808: must be at most 9223372036854775807 bytes per second',
    ],
    [
      '2^63-1 as a JSON number, which a double cannot hold',
      '{"bandwidthPerMigration":9223372036854775807}',
      'Invalid value: 9223372036854775807: is more than a JSON number holds exactly (it would be stored as 9223372036854776000): write it as a quantity string',
    ],
    [
      'a bandwidth of 1e400',
      '{"bandwidthPerMigration":1e400}',
      'Invalid value: 1e400: must be at most 9223372036854775807 bytes per second',
    ],
    [
      'a bandwidth of -1e400',
      '{"bandwidthPerMigration":"-1e400"}',
      'Invalid value: "-1e400": must not be negative: use a whole number of bytes per second, such as 0 (no limit), 64Mi, 1Gi or 500M',
    ],
    [
      'a bandwidth of 1e-400',
      '{"bandwidthPerMigration":1e-400}',
      'Invalid value: 1e-400: must be a whole number of bytes per second (KubeVirt would round it): use a whole number of bytes per second, such as 0 (no limit), 64Mi, 1Gi or 500M',
    ],
    [
      'a fractional exponent',
      '{"bandwidthPerMigration":"1e3.0"}',
      'Invalid value: "1e3.0": is not a Kubernetes quantity (digits, then at most one suffix: Ki, Mi, Gi, Ti, Pi, Ei, k, M, G, T, P, E, or a whole exponent such as e3; no spaces): use a whole number of bytes per second, such as 0 (no limit), 64Mi, 1Gi or 500M',
    ],
  ])('numbers are judged and shown exactly as written: %s', (_name, value, message) => {
    const r = decodeSetting(setting(value));
    expect(E.isLeft(r) && r.left.map((v) => v.message)).toEqual([message]);
  });

  it.each([
    ['0 turns a timeout off', '{"progressTimeout":0}', { progressTimeout: 0 }],
    ['-0 is 0 to Go too', '{"completionTimeoutPerGiB":-0}', { completionTimeoutPerGiB: -0 }],
    [
      '2^53 bytes per second, which a double holds exactly',
      '{"bandwidthPerMigration":9007199254740992}',
      { bandwidthPerMigration: 2 ** 53 },
    ],
    [
      '2^63-1 bytes per second as a string',
      '{"bandwidthPerMigration":"9223372036854775807"}',
      { bandwidthPerMigration: '9223372036854775807' },
    ],
    ['a JSON number bandwidth with an exponent', '{"bandwidthPerMigration":1e3}', { bandwidthPerMigration: 1000 }],
    [
      'an exponent that apimachinery wraps (1e4294967299 = 1e3)',
      '{"bandwidthPerMigration":"1e4294967299"}',
      { bandwidthPerMigration: '1e4294967299' },
    ],
  ])('accepted: %s', (_name, value, expected) => {
    expect(config(setting(value))).toEqual(expected);
  });

  it.each(['{"fooBar":1}', '{"__proto__":1}', '{"constructor":1}', '{"nodeDrainTaint":"x"}'])(
    '%s gets no suggestion (no likely typo of a settable key)',
    (value) => {
      const r = decodeSetting(setting(value));
      expect(E.isLeft(r) && r.left.map((v) => v.message)).toEqual([expect.stringMatching(/: unknown option$/)]);
    },
  );
});

describe('reading the Setting object', () => {
  it('value and default that are null count as absent', () => {
    expect(config({ metadata: { name: 'kubevirt-migration' }, value: null, default: null })).toEqual({});
  });

  it('a value that is not a string is a type error naming its field, and the other text still counts', () => {
    const r = decodeSetting({ metadata: { name: 'kubevirt-migration' }, value: 5, default: '{"progressTimeout":-1}' });
    expect(E.isLeft(r) && r.left.map((v) => `${v.field}: ${v.message}`)).toEqual([
      'value: Invalid value: 5: must be a string holding a JSON object of migration options',
      'default.progressTimeout: Invalid value: -1: must not be negative: use an integer from 0 to 9007199254740991',
    ]);
  });

  it('the default alone: {} when blank, undefined when it does not decode, its configuration otherwise', () => {
    expect(defaultConfig(setting(undefined, { default: ' ' }))).toEqual({});
    expect(defaultConfig(setting(undefined, { default: '{' }))).toBeUndefined();
    expect(defaultConfig(setting(undefined, { default: '{"progressTimeout":5}' }))).toEqual({ progressTimeout: 5 });
    expect(defaultConfig(setting(undefined, { default: '{"maxDowntimeMs":5}' }), SUPPORTED_170)).toBeUndefined();
  });

  it('the view: a name that is not a string, annotations that are not strings, a null deletionTimestamp', () => {
    const { view } = viewSetting({ metadata: { name: 5, annotations: { a: 'x', b: 1 }, deletionTimestamp: null } });
    expect(view).toEqual({
      name: undefined,
      value: undefined,
      default: undefined,
      annotations: { a: 'x' },
      deleting: false,
    });
    expect(viewSetting({ metadata: { name: 'n', deletionTimestamp: '2026-01-01T00:00:00Z' } }).view.deleting).toBe(
      true,
    );
    expect(viewSetting({ metadata: { annotations: 'junk' } }).view.annotations).toEqual({});
  });

  it('the view of a Setting as the API server holds it: its name and texts', () => {
    expect(viewSetting(setting('{"progressTimeout":300}')).view).toMatchObject({
      name: 'kubevirt-migration',
      value: '{"progressTimeout":300}',
      deleting: false,
    });
  });

  it('which text is in effect', () => {
    expect(effectiveSource({ value: 'x', default: 'y' })).toBe('value');
    expect(effectiveSource({ value: ' ', default: 'y' })).toBe('default');
    expect(effectiveSource({ value: undefined, default: '' })).toBe('none');
  });
});

describe('decoding objects that did not come from a text (a CR, a file): plain numbers', () => {
  const decode = (config: Record<string, unknown>) => {
    const r = decodeConfigObject(config, ['spec', 'configuration', 'migrations']);
    return E.isLeft(r) ? r.left.map((v) => v.message) : r.right;
  };

  it.each([
    [
      'an integer beyond 2^53',
      { parallelMigrationsPerCluster: 2 ** 60 },
      ['Invalid value: 1152921504606847000: must be from 1 to 2147483647'],
    ],
    [
      'a negative integer beyond 2^53',
      { parallelMigrationsPerCluster: -(2 ** 60) },
      ['Invalid value: -1152921504606847000: must not be negative: use an integer from 1 to 2147483647'],
    ],
    ['a fraction', { progressTimeout: 0.5 }, ['Invalid value: 0.5: must be an integer from 0 to 9007199254740991']],
    [
      'a bandwidth beyond 2^53',
      { bandwidthPerMigration: 2 ** 60 },
      ['Invalid value: 1152921504606847000: must be at most 9223372036854775807 bytes per second'],
    ],
    [
      'a negative bandwidth beyond 2^53',
      { bandwidthPerMigration: -(2 ** 60) },
      [expect.stringMatching(/must not be negative/)],
    ],
    [
      'a fractional bandwidth',
      { bandwidthPerMigration: 0.5 },
      [expect.stringMatching(/must be a whole number of bytes/)],
    ],
    [
      'a boolean for a bandwidth',
      { bandwidthPerMigration: true },
      [
        'Invalid value: true: must be a quantity string or a number: a whole number of bytes per second, such as 0 (no limit), 64Mi, 1Gi or 500M',
      ],
    ],
    ['a number for a protected key', { network: 5 }, ['Invalid value: 5: must be a string, and only "" is accepted']],
    ['a string for a boolean', { allowPostCopy: 'yes' }, ['Invalid value: "yes": must be true or false']],
  ])('%s', (_name, config, expected) => {
    expect(decode(config)).toEqual(expected);
  });

  it('a valid configuration is given back as written', () => {
    expect(decode({ progressTimeout: 5, bandwidthPerMigration: 1024, allowPostCopy: false, network: '' })).toEqual({
      progressTimeout: 5,
      bandwidthPerMigration: 1024,
      allowPostCopy: false,
      network: '',
    });
  });
});
