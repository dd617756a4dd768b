import * as E from 'fp-ts/lib/Either.js';

import { POLICY_FIELDS_170 } from '../testing/fixtures.js';
import { decodeMigrationPolicy } from './policy.js';

const object = (spec: unknown) => ({
  apiVersion: 'migrations.kubevirt.io/v1alpha1',
  kind: 'MigrationPolicy',
  metadata: { name: 'p' },
  spec,
});
const fieldsOf = (u: unknown, fields?: ReadonlySet<string>): readonly string[] => {
  const d = decodeMigrationPolicy(u, fields);
  return E.isLeft(d) ? d.left.map((v) => `${v.reason} ${v.field}`) : [];
};

describe('decodeMigrationPolicy: what KubeVirt 1.7.0 lets through', () => {
  it('decodes every field: the selectors, and the options as written', () => {
    const selectors = { namespaceSelector: { env: 'prod' }, virtualMachineInstanceSelector: { app: 'db' } };
    const options = {
      allowAutoConverge: true,
      bandwidthPerMigration: '64Mi',
      completionTimeoutPerGiB: 300,
      allowPostCopy: true,
      allowWorkloadDisruption: false,
      maxDowntimeMs: 500,
    };
    expect(decodeMigrationPolicy(object({ selectors, ...options }))).toEqual(
      E.right({ name: 'p', selectors, options }),
    );
  });

  it('keeps absent selectors absent (such a policy never matches) and nulls absent', () => {
    expect(decodeMigrationPolicy(object({ allowPostCopy: null }))).toEqual(
      E.right({ name: 'p', selectors: undefined, options: {} }),
    );
    expect(decodeMigrationPolicy(object({ selectors: {} }))).toEqual(
      E.right({ name: 'p', selectors: {}, options: {} }),
    );
  });

  it.each<[string, unknown, readonly string[]]>([
    ['the admitter lets completionTimeoutPerGiB 0 through', { selectors: {}, completionTimeoutPerGiB: 0 }, []],
    [
      'a negative completionTimeoutPerGiB is refused',
      { selectors: {}, completionTimeoutPerGiB: -1 },
      ['FieldValueInvalid spec.completionTimeoutPerGiB'],
    ],
    [
      'a fractional completionTimeoutPerGiB is not an integer',
      { selectors: {}, completionTimeoutPerGiB: 1.5 },
      ['FieldValueTypeInvalid spec.completionTimeoutPerGiB'],
    ],
    ['a fractional bandwidth passes (KubeVirt rounds it up)', { selectors: {}, bandwidthPerMigration: '0.5' }, []],
    ['a bandwidth beyond int64 passes', { selectors: {}, bandwidthPerMigration: '100Ei' }, []],
    [
      'a negative bandwidth is refused',
      { selectors: {}, bandwidthPerMigration: '-1Mi' },
      ['FieldValueInvalid spec.bandwidthPerMigration'],
    ],
    [
      'a negative integer bandwidth is refused',
      { selectors: {}, bandwidthPerMigration: -5 },
      ['FieldValueInvalid spec.bandwidthPerMigration'],
    ],
    [
      'a fractional number is not int-or-string',
      { selectors: {}, bandwidthPerMigration: 1.5 },
      ['FieldValueTypeInvalid spec.bandwidthPerMigration'],
    ],
    [
      'a bandwidth that is no quantity is refused',
      { selectors: {}, bandwidthPerMigration: '64 Mi' },
      ['FieldValueInvalid spec.bandwidthPerMigration'],
    ],
    [
      'booleans must be booleans',
      { selectors: {}, allowPostCopy: 'true' },
      ['FieldValueTypeInvalid spec.allowPostCopy'],
    ],
    ['maxDowntimeMs is 1 to 2000000', { selectors: {}, maxDowntimeMs: 0 }, ['FieldValueInvalid spec.maxDowntimeMs']],
    [
      'unknown spec fields are refused',
      { selectors: {}, progressTimeout: 10 },
      ['FieldValueNotSupported spec.progressTimeout'],
    ],
    [
      'unknown selectors are refused',
      { selectors: { nodeSelector: {} } },
      ['FieldValueNotSupported spec.selectors.nodeSelector'],
    ],
    [
      'a selector is a map of strings',
      { selectors: { virtualMachineInstanceSelector: { app: 1 } } },
      ['FieldValueTypeInvalid spec.selectors.virtualMachineInstanceSelector.app'],
    ],
    ['selectors must be an object', { selectors: [] }, ['FieldValueTypeInvalid spec.selectors']],
    [
      'every violation at once',
      { selectors: 'x', completionTimeoutPerGiB: -1, allowAutoConverge: 1 },
      [
        'FieldValueTypeInvalid spec.selectors',
        'FieldValueTypeInvalid spec.allowAutoConverge',
        'FieldValueInvalid spec.completionTimeoutPerGiB',
      ],
    ],
  ])('%s', (_name, spec, expected) => {
    expect(fieldsOf(object(spec))).toEqual(expected);
  });

  it('refuses a field the installed MigrationPolicy CRD does not list (1.7.0 lacks maxDowntimeMs)', () => {
    const fields = POLICY_FIELDS_170;
    expect(fieldsOf(object({ selectors: {}, maxDowntimeMs: 500 }), fields)).toEqual([
      'FieldValueNotSupported spec.maxDowntimeMs',
    ]);
    expect(fieldsOf(object({ selectors: {}, maxDowntimeMs: null }), fields)).toEqual([]);
  });

  it('needs a name and a spec object', () => {
    expect(fieldsOf({ metadata: {}, spec: 3 })).toEqual([
      'FieldValueTypeInvalid metadata.name',
      'FieldValueTypeInvalid spec',
    ]);
  });
});
