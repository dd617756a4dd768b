import { validatePolicy } from './validate-policy.js';

const object = (spec: unknown) => ({
  apiVersion: 'migrations.kubevirt.io/v1alpha1',
  kind: 'MigrationPolicy',
  metadata: { name: 'p' },
  spec,
});
const fields = (spec: unknown) => validatePolicy(object(spec)).violations.map((v) => `${v.field}: ${v.message}`);
const warned = (spec: unknown) => validatePolicy(object(spec)).warnings.map((w) => w.field);

describe('validatePolicy (validate --policy)', () => {
  it('a valid policy has no violation and no warning', () => {
    expect(
      validatePolicy(object({ selectors: {}, bandwidthPerMigration: '1Gi', completionTimeoutPerGiB: 300 })),
    ).toEqual({
      name: 'p',
      violations: [],
      warnings: [],
    });
  });

  it.each([
    [
      'a missing spec.selectors (the CRD requires it; quirk 1)',
      { allowAutoConverge: true },
      ['spec.selectors: Required value'],
    ],
    [
      'a fractional bandwidth: KubeVirt rounds it, the Setting refuses it',
      { selectors: {}, bandwidthPerMigration: '1.5' },
      ['spec.bandwidthPerMigration: Invalid value: "1.5": must be a whole number of bytes'],
    ],
    [
      'a bandwidth beyond int64',
      { selectors: {}, bandwidthPerMigration: '100Ei' },
      ['spec.bandwidthPerMigration: Invalid value: "100Ei": must be at most 9223372036854775807'],
    ],
    [
      'a negative value is reported once, as KubeVirt refuses it',
      { selectors: {}, completionTimeoutPerGiB: -1 },
      ['spec.completionTimeoutPerGiB: Invalid value: -1: must not be negative: use an integer from 0 to'],
    ],
  ])('%s', (_name, spec, expected) => {
    const got = fields(spec);
    expect(got).toHaveLength(expected.length);
    expected.forEach((e, i) => expect(got[i]).toContain(e));
  });

  it.each([
    [
      'post-copy that can never start',
      { selectors: {}, allowPostCopy: true, allowWorkloadDisruption: false },
      ['spec.allowWorkloadDisruption'],
    ],
    [
      'a timeout below the Harvester UI minimum',
      { selectors: {}, completionTimeoutPerGiB: 5 },
      ['spec.completionTimeoutPerGiB'],
    ],
    [
      'a timeout at 0, which turns it off (KubeVirt and the Setting accept it)',
      { selectors: {}, completionTimeoutPerGiB: 0 },
      ['spec.completionTimeoutPerGiB'],
    ],
    ['a bare number below 1 MiB/s', { selectors: {}, bandwidthPerMigration: 64 }, ['spec.bandwidthPerMigration']],
  ])("the Setting's warnings apply: %s", (_name, spec, expected) => {
    expect(warned(spec)).toEqual(expected);
  });

  it.each([{}, { name: '' }])('names a policy without a name (%j) as undefined, and reports it', (metadata) => {
    const v = validatePolicy({ metadata, spec: { selectors: {} } });
    expect(v.name).toBeUndefined();
    expect(v.violations.map((x) => x.field)).toEqual(['metadata.name']);
  });

  it('null selectors are missing selectors', () => {
    expect(fields({ selectors: null })).toEqual([
      'spec.selectors: Required value: the MigrationPolicy CRD requires it, and without it KubeVirt matches the policy to no VMI',
    ]);
  });

  it("checks against the Setting's bounds only the options KubeVirt let through", () => {
    // the negative timeout is reported once (KubeVirt's refusal); the bandwidth, which KubeVirt accepts, by the Setting's rule
    expect(
      fields({ selectors: {}, completionTimeoutPerGiB: -1, bandwidthPerMigration: '1.5' }).map((f) => f.split(':')[0]),
    ).toEqual(['spec.completionTimeoutPerGiB', 'spec.bandwidthPerMigration']);
  });
});
