import fc from 'fast-check';

import { POLICY_FIELDS_170 } from '../testing/fixtures.js';
import { effectiveConfiguration, type EffectiveInput, labelsOf } from './effective.js';
import type { MigrationPolicy } from './policy.js';

const vmi = { metadata: { namespace: 'prod', name: 'db-0', labels: { app: 'db' } } };
const namespace = { metadata: { name: 'prod', labels: { 'kubernetes.io/metadata.name': 'prod' } } };
const kubevirt = (migrations?: Record<string, unknown>) => ({
  spec: { configuration: migrations === undefined ? {} : { migrations } },
});
const policy = (
  name: string,
  options: MigrationPolicy['options'],
  selectors: MigrationPolicy['selectors'] = { virtualMachineInstanceSelector: { app: 'db' } },
): MigrationPolicy => ({
  name,
  selectors,
  options,
});
const run = (over: Partial<EffectiveInput>) =>
  effectiveConfiguration({ vmi, namespace, policies: [], kubevirt: kubevirt(), ...over });

describe('labelsOf and the VMI’s name', () => {
  it('keeps only string values as labels; none left is no labels', () => {
    expect(labelsOf({ metadata: { labels: { app: 'db', n: 5, x: null } } })).toEqual({ app: 'db' });
    expect(labelsOf({ metadata: { labels: { n: 5 } } })).toBeUndefined();
    expect(labelsOf({ metadata: { labels: {} } })).toBeUndefined();
    expect(labelsOf({ metadata: {} })).toBeUndefined();
  });

  it.each<[unknown, string]>([
    [{ metadata: { namespace: 'prod', name: 'db-0' } }, 'prod/db-0'],
    [{ metadata: { name: 'db-0' } }, '/db-0'],
    [{ metadata: { namespace: 'prod', name: 7 } }, 'prod/'],
    [{ metadata: { namespace: 7 } }, '/'],
  ])('names %j as %s', (object, name) => {
    expect(run({ vmi: object }).vmi).toBe(name);
  });
});

describe('effectiveConfiguration (docs/semantics.md §7)', () => {
  it("without a CR block or a policy: KubeVirt's defaults, every option of the table", () => {
    const e = run({});
    expect(e.vmi).toBe('prod/db-0');
    expect(e.policy).toBeUndefined();
    expect(e.configuration).toEqual({
      parallelMigrationsPerCluster: 5,
      parallelOutboundMigrationsPerNode: 2,
      bandwidthPerMigration: '0Mi',
      completionTimeoutPerGiB: 150,
      progressTimeout: 150,
      utilityVolumesTimeout: 150,
      maxDowntimeMs: 900,
      allowAutoConverge: false,
      allowPostCopy: false,
      allowWorkloadDisruption: false,
      unsafeMigrationOverride: false,
      disableTLS: false,
      matchSELinuxLevelOnMigration: false,
      nodeDrainTaintKey: 'kubevirt.io/drain',
      network: '',
    });
    expect(new Set(Object.values(e.sources))).toEqual(new Set(['default']));
  });

  it('lists only the options the installed KubeVirt CRD lists', () => {
    const supported = new Set(['bandwidthPerMigration', 'allowPostCopy', 'allowWorkloadDisruption']);
    const e = run({ supportedOptions: supported, policies: [policy('p', { maxDowntimeMs: 100 })] });
    expect(Object.keys(e.configuration)).toEqual(['bandwidthPerMigration', 'allowPostCopy', 'allowWorkloadDisruption']);
    expect(e.policy).toBe('p');
  });

  type Row = [
    string,
    Record<string, unknown> | undefined,
    readonly MigrationPolicy[],
    Record<string, unknown>,
    Record<string, string>,
  ];
  it.each<Row>([
    [
      'the CR overrides the default per key',
      { bandwidthPerMigration: '64Mi', progressTimeout: 30 },
      [],
      { bandwidthPerMigration: '64Mi', progressTimeout: 30, completionTimeoutPerGiB: 150 },
      { bandwidthPerMigration: 'kubevirt', progressTimeout: 'kubevirt', completionTimeoutPerGiB: 'default' },
    ],
    [
      'a null on the CR is absent',
      { progressTimeout: null },
      [],
      { progressTimeout: 150 },
      { progressTimeout: 'default' },
    ],
    [
      'an unset allowWorkloadDisruption follows the CR allowPostCopy',
      { allowPostCopy: true },
      [],
      { allowWorkloadDisruption: true },
      { allowWorkloadDisruption: 'kubevirt' },
    ],
    [
      'an explicit allowWorkloadDisruption on the CR stays',
      { allowPostCopy: true, allowWorkloadDisruption: false },
      [],
      { allowWorkloadDisruption: false },
      { allowWorkloadDisruption: 'kubevirt' },
    ],
    [
      'the policy overrides the CR for what it sets',
      { bandwidthPerMigration: '64Mi', completionTimeoutPerGiB: 100 },
      [policy('p', { bandwidthPerMigration: '1Gi' })],
      { bandwidthPerMigration: '1Gi', completionTimeoutPerGiB: 100 },
      { bandwidthPerMigration: 'policy', completionTimeoutPerGiB: 'kubevirt' },
    ],
    [
      'the policy sets false over a true',
      { allowAutoConverge: true },
      [policy('p', { allowAutoConverge: false })],
      { allowAutoConverge: false },
      { allowAutoConverge: 'policy' },
    ],
    [
      'quirk 4: a policy allowPostCopy sets allowWorkloadDisruption over the CR explicit one',
      { allowWorkloadDisruption: false },
      [policy('p', { allowPostCopy: true })],
      { allowPostCopy: true, allowWorkloadDisruption: true },
      { allowPostCopy: 'policy', allowWorkloadDisruption: 'policy' },
    ],
    [
      'quirk 4: and allowPostCopy false clears a true one',
      { allowWorkloadDisruption: true },
      [policy('p', { allowPostCopy: false })],
      { allowWorkloadDisruption: false },
      { allowWorkloadDisruption: 'policy' },
    ],
    [
      'a policy with both keeps its own allowWorkloadDisruption',
      {},
      [policy('p', { allowPostCopy: true, allowWorkloadDisruption: false })],
      { allowWorkloadDisruption: false },
      { allowWorkloadDisruption: 'policy' },
    ],
    [
      'quirk 5: a winning policy that sets nothing hides a lower one that does',
      {},
      [policy('empty', {}), policy('lower', { completionTimeoutPerGiB: 10 }, {})],
      { completionTimeoutPerGiB: 150 },
      { completionTimeoutPerGiB: 'default' },
    ],
    [
      'a policy cannot set cluster-only options',
      { parallelMigrationsPerCluster: 9 },
      [policy('p', { allowAutoConverge: true })],
      { parallelMigrationsPerCluster: 9 },
      { parallelMigrationsPerCluster: 'kubevirt' },
    ],
    [
      'no matching policy: the cluster configuration',
      { progressTimeout: 30 },
      [policy('other', { completionTimeoutPerGiB: 1 }, { virtualMachineInstanceSelector: { app: 'web' } })],
      { completionTimeoutPerGiB: 150 },
      { completionTimeoutPerGiB: 'default' },
    ],
  ])('%s', (_name, block, policies, values, sources) => {
    const e = run({ kubevirt: kubevirt(block), policies });
    expect(e.configuration).toMatchObject(values);
    expect(e.sources).toMatchObject(sources);
  });

  it('quirk 5: the empty winner is still named', () => {
    expect(run({ policies: [policy('empty', {}), policy('lower', { completionTimeoutPerGiB: 10 }, {})] }).policy).toBe(
      'empty',
    );
  });

  it('quirk 6: a maxDowntimeMs the MigrationPolicy CRD does not list is not applied, nor settable', () => {
    const policyFields = POLICY_FIELDS_170;
    const e = run({ policies: [policy('p', { maxDowntimeMs: 100 })], policyFields });
    expect(e.configuration.maxDowntimeMs).toBe(900);
    expect(e.clusterOnly).toContain('maxDowntimeMs');
    expect(run({ policies: [policy('p', { maxDowntimeMs: 100 })] }).configuration.maxDowntimeMs).toBe(100);
  });

  it('names the options no policy can set', () => {
    expect(run({}).clusterOnly).toEqual([
      'parallelMigrationsPerCluster',
      'parallelOutboundMigrationsPerNode',
      'progressTimeout',
      'utilityVolumesTimeout',
      'unsafeMigrationOverride',
      'disableTLS',
      'matchSELinuxLevelOnMigration',
      'nodeDrainTaintKey',
      'network',
    ]);
  });
});

describe('effectiveConfiguration: laws', () => {
  const block = fc.record(
    {
      bandwidthPerMigration: fc.constantFrom('64Mi', '1Gi', 0),
      completionTimeoutPerGiB: fc.integer({ min: 1, max: 900 }),
      allowPostCopy: fc.boolean(),
      allowWorkloadDisruption: fc.boolean(),
      progressTimeout: fc.integer({ min: 1, max: 900 }),
    },
    { requiredKeys: [] },
  );
  const options = fc.record(
    {
      allowAutoConverge: fc.boolean(),
      bandwidthPerMigration: fc.constantFrom('8Mi', '2Gi'),
      completionTimeoutPerGiB: fc.integer({ min: 0, max: 900 }),
      allowPostCopy: fc.boolean(),
      allowWorkloadDisruption: fc.boolean(),
    },
    { requiredKeys: [] },
  );
  const policies = fc.array(
    fc.record({
      name: fc.constantFrom('a', 'b', 'c'),
      selectors: fc.constantFrom<MigrationPolicy['selectors']>(
        undefined,
        {},
        { virtualMachineInstanceSelector: { app: 'db' } },
        { virtualMachineInstanceSelector: { app: 'web' } },
      ),
      options,
    }),
    { maxLength: 4 },
  );

  it('a policy is the source of exactly what the winner sets (and the allowWorkloadDisruption its allowPostCopy implies); the rest is the cluster configuration', () => {
    fc.assert(
      fc.property(block, policies, (b, ps) => {
        const e = run({ kubevirt: kubevirt(b), policies: ps });
        const cluster = run({ kubevirt: kubevirt(b) });
        const winner = e.choice.winner;
        expect(winner === undefined || ps.some((p) => p === winner)).toBe(true);
        const set = new Set(Object.keys(winner?.options ?? {}));
        if (winner?.options.allowPostCopy !== undefined) set.add('allowWorkloadDisruption');
        for (const [key, source] of Object.entries(e.sources)) {
          expect(source === 'policy').toBe(set.has(key));
          if (source !== 'policy')
            expect(e.configuration[key as keyof typeof e.configuration]).toEqual(
              cluster.configuration[key as keyof typeof e.configuration],
            );
        }
        expect(Object.values(cluster.sources)).not.toContain('policy');
      }),
    );
  });
});
