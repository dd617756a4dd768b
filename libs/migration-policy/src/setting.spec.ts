import * as E from 'fp-ts/lib/Either.js';
import { decodeSetting, effectiveText, HARVESTER_DEFAULT, isBlank } from './setting.js';
import type { CauseType } from './violation.js';
import { SUPPORTED_170, setting } from './testing/fixtures.js';

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
    ['an unknown key', '{"parallelMigrationPerCluster":5}', [['FieldValueNotSupported', 'value.parallelMigrationPerCluster']]],
    ['a key in the wrong case', '{"AllowPostCopy":true}', [['FieldValueNotSupported', 'value.AllowPostCopy']]],
    ['an integer as a string', '{"progressTimeout":"150"}', [['FieldValueTypeInvalid', 'value.progressTimeout']]],
    ['a fraction for an integer', '{"progressTimeout":5.5}', [['FieldValueTypeInvalid', 'value.progressTimeout']]],
    ['a boolean for an integer', '{"progressTimeout":true}', [['FieldValueTypeInvalid', 'value.progressTimeout']]],
    ['zero parallel migrations', '{"parallelMigrationsPerCluster":0}', [['FieldValueInvalid', 'value.parallelMigrationsPerCluster']]],
    ['int32 overflow', '{"parallelOutboundMigrationsPerNode":2147483648}', [['FieldValueInvalid', 'value.parallelOutboundMigrationsPerNode']]],
    ['a negative timeout', '{"completionTimeoutPerGiB":-1}', [['FieldValueInvalid', 'value.completionTimeoutPerGiB']]],
    ['a timeout past 2^53-1', '{"progressTimeout":9007199254740992}', [['FieldValueInvalid', 'value.progressTimeout']]],
    ['maxDowntimeMs past its bound', '{"maxDowntimeMs":2000001}', [['FieldValueInvalid', 'value.maxDowntimeMs']]],
    ['a string for a boolean', '{"allowPostCopy":"true"}', [['FieldValueTypeInvalid', 'value.allowPostCopy']]],
    ['a number for a boolean', '{"disableTLS":0}', [['FieldValueTypeInvalid', 'value.disableTLS']]],
    ['a milli quantity', '{"bandwidthPerMigration":"1m"}', [['FieldValueInvalid', 'value.bandwidthPerMigration']]],
    ['a fractional quantity', '{"bandwidthPerMigration":"0.5"}', [['FieldValueInvalid', 'value.bandwidthPerMigration']]],
    ['a fractional number quantity', '{"bandwidthPerMigration":0.5}', [['FieldValueInvalid', 'value.bandwidthPerMigration']]],
    ['a negative quantity', '{"bandwidthPerMigration":"-1Mi"}', [['FieldValueInvalid', 'value.bandwidthPerMigration']]],
    ['a quantity with spaces', '{"bandwidthPerMigration":" 64Mi"}', [['FieldValueInvalid', 'value.bandwidthPerMigration']]],
    ['a quantity past int64', '{"bandwidthPerMigration":"8Ei"}', [['FieldValueInvalid', 'value.bandwidthPerMigration']]],
    ['a huge exponent', '{"bandwidthPerMigration":"1e999999999"}', [['FieldValueInvalid', 'value.bandwidthPerMigration']]],
    ['a boolean quantity', '{"bandwidthPerMigration":true}', [['FieldValueTypeInvalid', 'value.bandwidthPerMigration']]],
    ['a network that is not a string', '{"network":5}', [['FieldValueTypeInvalid', 'value.network']]],
    ['a __proto__ key', '{"__proto__":{"x":1}}', [['FieldValueNotSupported', 'value.__proto__']]],
    ['a key with a dot', '{"a.b":1}', [['FieldValueNotSupported', 'value["a.b"]']]],
  ])('%s', (_name, value, expected) => {
    expect(causes(setting(value))).toEqual(expected);
  });

  it('returns every violation of value and default together, in order', () => {
    const obj = setting('{"parallelMigrationsPerCluster":0,"allowPostCopy":"yes","bogus":1}', { default: '{"progressTimeout":0}' });
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
    expect(causes({ metadata: { name: 'kubevirt-migration' }, value: 5 })).toEqual([['FieldValueTypeInvalid', 'value']]);
    expect(causes({ metadata: { name: 'kubevirt-migration' }, default: {} })).toEqual([['FieldValueTypeInvalid', 'default']]);
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

describe('protected keys: HEP test plan (2) nodeDrainTaintKey and (3) network are rejected', () => {
  it.each([
    ['nodeDrainTaintKey', 'example.com/drain'],
    ['nodeDrainTaintKey', 'kubevirt.io/drain'],
    ['network', 'migration-net'],
  ])('%s set to %j is forbidden', (key, v) => {
    expect(causes(setting(JSON.stringify({ [key]: v })))).toEqual([['FieldValueForbidden', `value.${key}`]]);
  });

  it.each([['{"nodeDrainTaintKey":""}'], ['{"network":""}'], ['{"network":null,"nodeDrainTaintKey":null}']])('%s is accepted', (value) => {
    expect(causes(setting(value))).toEqual([]);
  });
});

describe('options the installed CRD does not list', () => {
  it('utilityVolumesTimeout and maxDowntimeMs are refused by a 1.7.0 CRD, value and default alike', () => {
    const obj = setting('{"utilityVolumesTimeout":"x"}', { default: '{"maxDowntimeMs":900}' });
    expect(causes(obj, SUPPORTED_170)).toEqual([
      ['FieldValueNotSupported', 'value.utilityVolumesTimeout'],
      ['FieldValueNotSupported', 'default.maxDowntimeMs'],
    ]);
  });

  it('a null is absent and not checked', () => {
    expect(causes(setting('{"maxDowntimeMs":null}'), SUPPORTED_170)).toEqual([]);
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
    ['{"parallelMigrationsPerCluster":5.0}', { parallelMigrationsPerCluster: 5 }],
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
