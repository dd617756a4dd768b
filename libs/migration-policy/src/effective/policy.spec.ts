import * as E from 'fp-ts/lib/Either.js';

import { POLICY_FIELDS_170 } from '../testing/fixtures.js';
import { formatViolation } from '../violation.js';
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

describe('decodeMigrationPolicy: every refusal, as it is printed', () => {
  const printed = (metadata: unknown, spec: unknown, fields?: ReadonlySet<string>): readonly string[] => {
    const d = decodeMigrationPolicy({ metadata, spec }, fields);
    return E.isLeft(d) ? d.left.map(formatViolation) : [];
  };

  it.each<[string, unknown, unknown, readonly string[]]>([
    [
      'a selector that is not a map',
      { name: 'p' },
      { selectors: { namespaceSelector: ['x'] } },
      ['spec.selectors.namespaceSelector: Invalid value: ["x"]: must be a map of label names to strings, not an array'],
    ],
    [
      'a label value that is not a string (a null selector is no selector)',
      { name: 'p' },
      { selectors: { namespaceSelector: null, virtualMachineInstanceSelector: { app: 5 } } },
      ['spec.selectors.virtualMachineInstanceSelector.app: Invalid value: 5: a label value must be a string'],
    ],
    [
      'selectors that are not an object',
      { name: 'p' },
      { selectors: 'all' },
      ['spec.selectors: Invalid value: "all": must be an object, not a string'],
    ],
    [
      'a selector KubeVirt does not know',
      { name: 'p' },
      { selectors: { nodeSelector: { a: 'b' } } },
      [
        'spec.selectors.nodeSelector: Unsupported value: "nodeSelector": unknown selector: the API server would drop it',
      ],
    ],
    [
      'a spec field KubeVirt does not know (a null one is no field)',
      { name: 'p' },
      { selectors: {}, foo: 1, bar: null },
      ['spec.foo: Unsupported value: "foo": unknown field: the API server would drop it, so KubeVirt never sees it'],
    ],
    [
      'an empty name and a spec that is not an object',
      { name: '' },
      'x',
      [
        'metadata.name: Invalid value: "": must be a non-empty string',
        'spec: Invalid value: "x": must be an object, not a string',
      ],
    ],
  ])('%s', (_name, metadata, spec, expected) => {
    expect(printed(metadata, spec)).toEqual(expected);
  });

  it.each<[unknown, string]>([
    [1.5, 'Invalid value: 1.5: must be an integer or a quantity string (the CRD takes no fractional number)'],
    [-5, 'Invalid value: -5: must not be negative'],
    [
      true,
      'Invalid value: true: must be a quantity string or an integer: a whole number of bytes per second, such as 0 (no limit), 64Mi, 1Gi or 500M',
    ],
    [
      'abc',
      'Invalid value: "abc": is not a Kubernetes quantity: use a whole number of bytes per second, such as 0 (no limit), 64Mi, 1Gi or 500M',
    ],
    ['-1Mi', 'Invalid value: "-1Mi": must not be negative'],
  ])('a bandwidthPerMigration of %j', (bandwidth, message) => {
    expect(printed({ name: 'p' }, { selectors: {}, bandwidthPerMigration: bandwidth })).toEqual([
      `spec.bandwidthPerMigration: ${message}`,
    ]);
  });

  it('a field the installed CRD does not list, named with what the API server would do', () => {
    expect(printed({ name: 'p' }, { selectors: {}, maxDowntimeMs: 5 }, new Set(['selectors']))).toEqual([
      'spec.maxDowntimeMs: Unsupported value: "maxDowntimeMs": the installed MigrationPolicy CRD does not list this field, so the API server would silently drop it',
    ]);
  });

  it('null selectors are absent selectors: a policy that never matches, not a refusal', () => {
    expect(decodeMigrationPolicy({ metadata: { name: 'p' }, spec: { selectors: null } })).toEqual(
      E.right({ name: 'p', selectors: undefined, options: {} }),
    );
  });
});

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
