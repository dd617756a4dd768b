import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';

import { adopt, planAdoptionWrite } from './adopt.js';
import { decodeConfigObject, encodeConfig } from './config.js';
import { APPLIED_CONFIG_ANNOTATION, appliedMarker } from './marker.js';
import { OPTION_KEYS, OWNED_KEYS } from './options.js';
import { applyPatch, type Operation } from './patch.js';
import { type Plan, plan, type PlanInput, type Step } from './plan.js';
import { HARVESTER_DEFAULT, HASH_ANNOTATION } from './setting.js';
import { meaning, migrationsBlock, validConfig } from './testing/arbitraries.js';
import { applied, HARVESTER_GATES, kubevirt, markers, setting } from './testing/fixtures.js';

const NOW = '2026-01-01T00:00:00Z';
const pass = (input: Omit<PlanInput, 'now'>): Plan => plan({ ...input, now: NOW });

/** A setting applied once, for an earlier value: what it asks now is a change. */
const changed = (value: string | undefined) =>
  setting(value, { annotations: { [HASH_ANNOTATION]: 'earlier', [APPLIED_CONFIG_ANNOTATION]: 'earlier' } });

const APPLIED_CONDITION = {
  type: 'configured',
  status: 'True',
  reason: 'Applied',
  message: 'the KubeVirt CR harvester-system/kubevirt matches the setting',
  lastUpdateTime: NOW,
  lastTransitionTime: NOW,
};
const RV_GUARD: Operation = { op: 'test', path: '/metadata/resourceVersion', value: '7' };
/** The record an apply writes on a setting that has annotations and no status. */
const record = (value: string | undefined, desired: Record<string, unknown>): Step => ({
  kind: 'PatchSetting',
  patch: [
    RV_GUARD,
    ...Object.entries(markers(value, desired)).map(([k, v]): Operation => ({
      op: 'add',
      path: `/metadata/annotations/${k.replace('/', '~1')}`,
      value: v,
    })),
    { op: 'add', path: '/status', value: { conditions: [APPLIED_CONDITION] } },
  ],
});
const event = (type: 'Normal' | 'Warning', reason: string, message: string): Step => ({
  kind: 'Event',
  notice: { type, reason, message },
});
/** The record of a pass that writes nothing to the CR: the condition False, on a setting without status. */
const falseRecord = (reason: string, message: string): Step => ({
  kind: 'PatchSetting',
  patch: [
    RV_GUARD,
    {
      op: 'add',
      path: '/status',
      value: {
        conditions: [
          { type: 'configured', status: 'False', reason, message, lastUpdateTime: NOW, lastTransitionTime: NOW },
        ],
      },
    },
  ],
});

const patchOf = (p: Plan): readonly Operation[] =>
  p.outcome === 'Applied' || p.outcome === 'DriftCorrected' ? p.patch : [];
const after = (cr: unknown, p: Plan): unknown => {
  const r = applyPatch(cr, patchOf(p));
  if (E.isLeft(r)) throw new Error(r.left);
  return r.right;
};
const asJson = (v: unknown): unknown => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
const migrationsOf = (cr: unknown): Record<string, unknown> | undefined =>
  (cr as { spec: { configuration: { migrations?: Record<string, unknown> } } }).spec.configuration.migrations;

describe('plan: the steps of each outcome (docs/semantics.md §5)', () => {
  it('applied: a CR without a migrations block gets the whole block (guarded by its resourceVersion), then the Applied event, then the record', () => {
    const value = '{"parallelMigrationsPerCluster":3,"network":""}';
    expect(pass({ setting: changed(value), kubevirt: kubevirt() })).toEqual({
      outcome: 'Applied',
      patch: [
        { op: 'test', path: '/metadata/resourceVersion', value: '42' },
        { op: 'add', path: '/spec/configuration/migrations', value: { parallelMigrationsPerCluster: 3 } },
      ],
      steps: [
        {
          kind: 'PatchKubeVirt',
          patch: [
            { op: 'test', path: '/metadata/resourceVersion', value: '42' },
            { op: 'add', path: '/spec/configuration/migrations', value: { parallelMigrationsPerCluster: 3 } },
          ],
        },
        event('Normal', 'Applied', 'applied the setting to the KubeVirt CR harvester-system/kubevirt (1 change)'),
        record(value, { parallelMigrationsPerCluster: 3 }),
      ],
    });
  });

  it('unchanged and recorded: a converged CR and a setting that says so plan no step at all', () => {
    const value = '{"parallelMigrationsPerCluster":3,"bandwidthPerMigration":"1Gi"}';
    const s = { ...applied(value), status: { conditions: [APPLIED_CONDITION] } };
    expect(
      pass({ setting: s, kubevirt: kubevirt({ parallelMigrationsPerCluster: 3, bandwidthPerMigration: '1024Mi' }) }),
    ).toEqual({
      outcome: 'Unchanged',
      steps: [],
    });
  });

  it('unchanged but not yet recorded: only the record', () => {
    const value = '{"parallelMigrationsPerCluster":3}';
    expect(pass({ setting: changed(value), kubevirt: kubevirt({ parallelMigrationsPerCluster: 3 }) })).toEqual({
      outcome: 'Unchanged',
      steps: [record(value, { parallelMigrationsPerCluster: 3 })],
    });
  });

  it('drift corrected: the CR changed after the setting was applied; set back with DriftCorrected and no Applied event', () => {
    const value = '{"parallelMigrationsPerCluster":3}';
    const s = { ...applied(value), status: { conditions: [APPLIED_CONDITION] } };
    const block = { parallelMigrationsPerCluster: 9 };
    expect(pass({ setting: s, kubevirt: kubevirt(block) })).toEqual({
      outcome: 'DriftCorrected',
      patch: [
        { op: 'test', path: '/spec/configuration/migrations', value: block },
        { op: 'replace', path: '/spec/configuration/migrations/parallelMigrationsPerCluster', value: 3 },
      ],
      steps: [
        {
          kind: 'PatchKubeVirt',
          patch: [
            { op: 'test', path: '/spec/configuration/migrations', value: block },
            { op: 'replace', path: '/spec/configuration/migrations/parallelMigrationsPerCluster', value: 3 },
          ],
        },
        event(
          'Normal',
          'DriftCorrected',
          'set back 1 migration option changed directly on the KubeVirt CR harvester-system/kubevirt to the kubevirt-migration setting',
        ),
      ],
    });
  });

  it('not drift: a change of default while value is blank is an apply (Applied, not DriftCorrected)', () => {
    const oldDefault = '{"parallelMigrationsPerCluster":3}';
    const s = setting('', {
      default: '{"parallelMigrationsPerCluster":4}',
      annotations: markers('', { parallelMigrationsPerCluster: 3 }),
    });
    const p = pass({ setting: s, kubevirt: kubevirt(JSON.parse(oldDefault) as Record<string, unknown>) });
    expect(p.outcome).toBe('Applied');
    expect(p.steps.filter((st) => st.kind === 'Event')).toEqual([
      event('Normal', 'Applied', 'applied the setting to the KubeVirt CR harvester-system/kubevirt (1 change)'),
    ]);
  });

  it('not drift: a setting never recorded with the applied configuration (Harvester applied it) is an apply', () => {
    const value = '{"parallelMigrationsPerCluster":3}';
    const s = setting(value, { annotations: { [HASH_ANNOTATION]: appliedMarker({ value, annotations: {} }) } });
    expect(pass({ setting: s, kubevirt: kubevirt({ parallelMigrationsPerCluster: 9 }) }).outcome).toBe('Applied');
  });

  it('invalid once: the record (condition False) and one Warning event, and no write to the CR', () => {
    const s = changed('{"parallelMigrationsPerCluster":0}');
    const message =
      'Setting.harvesterhci.io "kubevirt-migration" is invalid: value.parallelMigrationsPerCluster: Invalid value: 0: must be from 1 to 2147483647';
    expect(pass({ setting: s, kubevirt: kubevirt() })).toEqual({
      outcome: 'Invalid',
      violations: [
        {
          reason: 'FieldValueInvalid',
          field: 'value.parallelMigrationsPerCluster',
          message: 'Invalid value: 0: must be from 1 to 2147483647',
          path: ['value', 'parallelMigrationsPerCluster'],
          detail: 'must be from 1 to 2147483647',
        },
      ],
      steps: [falseRecord('InvalidSetting', message), event('Warning', 'InvalidSetting', `not applied: ${message}`)],
    });
  });

  describe('feature gates (docs/semantics.md §2a): never a patch that KubeVirt would refuse', () => {
    const GATE_MESSAGE =
      "value.maxDowntimeMs: Forbidden: maxDowntimeMs needs the feature gate MigrationStallDetection or MigrationDowntimeTuning, which the KubeVirt CR does not enable (KubeVirt refuses a change of maxDowntimeMs without it): add the gate to the CR's spec.configuration.developerConfiguration.featureGates first, or leave maxDowntimeMs as it is";
    const condition = `not applied, since KubeVirt would refuse it: ${GATE_MESSAGE}`;

    it('a new maxDowntimeMs on a CR without the gate: no write to the CR; the condition says why, and one Warning event', () => {
      const s = changed('{"maxDowntimeMs":500,"parallelMigrationsPerCluster":3}');
      const p = pass({ setting: s, kubevirt: kubevirt({ parallelMigrationsPerCluster: 5 }) });
      expect(p).toEqual({
        outcome: 'FeatureGateMissing',
        violations: [
          {
            reason: 'FieldValueForbidden',
            field: 'value.maxDowntimeMs',
            message: GATE_MESSAGE.replace('value.maxDowntimeMs: ', ''),
            path: ['value', 'maxDowntimeMs'],
            detail: GATE_MESSAGE.replace('value.maxDowntimeMs: Forbidden: ', ''),
          },
        ],
        steps: [falseRecord('FeatureGateMissing', condition), event('Warning', 'FeatureGateMissing', condition)],
      });
    });

    it('found again: nothing to write, and no event', () => {
      const s = setting('{"maxDowntimeMs":500}', {
        annotations: { [HASH_ANNOTATION]: 'earlier' },
        status: {
          conditions: [
            {
              type: 'configured',
              status: 'False',
              reason: 'FeatureGateMissing',
              message: condition,
              lastTransitionTime: 'T',
            },
          ],
        },
      });
      expect(pass({ setting: s, kubevirt: kubevirt() })).toMatchObject({ outcome: 'FeatureGateMissing', steps: [] });
    });

    it.each<[string, Record<string, unknown> | undefined, readonly string[], string]>([
      [
        'either gate enables it: MigrationStallDetection',
        { maxDowntimeMs: 900 },
        ['MigrationStallDetection'],
        'Applied',
      ],
      [
        'either gate enables it: MigrationDowntimeTuning',
        undefined,
        ['LiveMigration', 'MigrationDowntimeTuning'],
        'Applied',
      ],
      [
        'the CR already holds the value (by value): no change, no gate needed',
        { maxDowntimeMs: 500 },
        HARVESTER_GATES,
        'Unchanged',
      ],
      [
        'a gate of another option does not count',
        { maxDowntimeMs: 900 },
        ['MigrationPriorityQueue'],
        'FeatureGateMissing',
      ],
      ['a different value on the CR is a change', { maxDowntimeMs: 900 }, [], 'FeatureGateMissing'],
    ])('%s', (_name, block, gates, outcome) => {
      expect(pass({ setting: changed('{"maxDowntimeMs":500}'), kubevirt: kubevirt(block, '42', gates) }).outcome).toBe(
        outcome,
      );
    });

    it('removing maxDowntimeMs from the CR needs no gate', () => {
      const p = pass({
        setting: changed('{"parallelMigrationsPerCluster":3}'),
        kubevirt: kubevirt({ maxDowntimeMs: 500, parallelMigrationsPerCluster: 3 }),
      });
      expect(patchOf(p)).toEqual([
        {
          op: 'test',
          path: '/spec/configuration/migrations',
          value: { maxDowntimeMs: 500, parallelMigrationsPerCluster: 3 },
        },
        { op: 'remove', path: '/spec/configuration/migrations/maxDowntimeMs' },
      ]);
    });

    it('a gated option in the default, while value is blank, is named at default', () => {
      const p = pass({
        setting: setting(undefined, {
          default: '{"maxDowntimeMs":500}',
          annotations: { [HASH_ANNOTATION]: 'earlier' },
        }),
        kubevirt: kubevirt(),
      });
      expect(p.outcome === 'FeatureGateMissing' && p.violations.map((v) => v.field)).toEqual(['default.maxDowntimeMs']);
    });
  });

  it('invalid again: a setting that already says so plans nothing, and no event', () => {
    const message =
      'Setting.harvesterhci.io "kubevirt-migration" is invalid: value.parallelMigrationsPerCluster: Invalid value: 0: must be from 1 to 2147483647';
    const s = setting('{"parallelMigrationsPerCluster":0}', {
      status: {
        conditions: [
          { type: 'configured', status: 'False', reason: 'InvalidSetting', message, lastTransitionTime: 'T' },
        ],
      },
    });
    expect(pass({ setting: s, kubevirt: kubevirt() })).toEqual({
      outcome: 'Invalid',
      violations: [expect.objectContaining({ field: 'value.parallelMigrationsPerCluster' })],
      steps: [],
    });
  });

  it('invalid in another way: the condition message changes, and a new event is recorded', () => {
    const s = setting('{"parallelMigrationsPerCluster":0,"network":"x"}', {
      status: {
        conditions: [
          {
            type: 'configured',
            status: 'False',
            reason: 'InvalidSetting',
            message: 'an older problem',
            lastTransitionTime: 'T',
          },
        ],
      },
    });
    const p = pass({ setting: s, kubevirt: kubevirt() });
    expect(p.steps.map((st) => st.kind)).toEqual(['PatchSetting', 'Event']);
    expect(p.steps[0]).toMatchObject({
      patch: [
        RV_GUARD,
        { op: 'add', path: '/status/conditions', value: [{ status: 'False', lastTransitionTime: 'T' }] },
      ],
    });
  });

  it('KubeVirt absent: the condition says so, and nothing else', () => {
    expect(pass({ setting: setting('{}'), kubevirt: undefined })).toEqual({
      outcome: 'Ignored',
      reason: 'KubeVirtAbsent',
      steps: [falseRecord('KubeVirtNotFound', 'the KubeVirt CR harvester-system/kubevirt does not exist')],
    });
  });

  it.each<[string, unknown, Plan]>([
    ['absent', undefined, { outcome: 'Ignored', reason: 'SettingAbsent', steps: [] }],
    [
      'being deleted',
      { ...setting('{}'), metadata: { name: 'kubevirt-migration', deletionTimestamp: '2026-01-01T00:00:00Z' } },
      { outcome: 'Ignored', reason: 'SettingDeleting', steps: [] },
    ],
    ['not an object', 'text', { outcome: 'Ignored', reason: 'SettingAbsent', steps: [] }],
  ])('a Setting %s: nothing is done', (_name, s, expected) => {
    expect(pass({ setting: s, kubevirt: kubevirt({ parallelMigrationsPerCluster: 1 }) })).toEqual(expected);
  });
});

describe('plan: the patch of the CR', () => {
  it('add, replace and remove, all after one test of the prior block; network and foreign keys untouched', () => {
    const block = { parallelMigrationsPerCluster: 5, allowPostCopy: true, network: 'migration', futureOption: 1 };
    const p = pass({
      setting: changed('{"parallelMigrationsPerCluster":3,"progressTimeout":60}'),
      kubevirt: kubevirt(block),
    });
    expect(patchOf(p)).toEqual([
      { op: 'test', path: '/spec/configuration/migrations', value: block },
      { op: 'replace', path: '/spec/configuration/migrations/parallelMigrationsPerCluster', value: 3 },
      { op: 'add', path: '/spec/configuration/migrations/progressTimeout', value: 60 },
      { op: 'remove', path: '/spec/configuration/migrations/allowPostCopy' },
    ]);
    expect(p.steps[1]).toEqual(
      event('Normal', 'Applied', 'applied the setting to the KubeVirt CR harvester-system/kubevirt (3 changes)'),
    );
    expect(migrationsOf(after(kubevirt(block), p))).toEqual({
      parallelMigrationsPerCluster: 3,
      progressTimeout: 60,
      network: 'migration',
      futureOption: 1,
    });
  });

  it.each([
    ['0', '0Mi'],
    ['"1Gi"', '1024Mi'],
    ['"1e3"', '1k'],
    ['1048576', '1Mi'],
  ])('equal quantities are not a change (%s on the CR as %s)', (inSetting, onCR) => {
    const value = `{"bandwidthPerMigration":${inSetting}}`;
    expect(pass({ setting: changed(value), kubevirt: kubevirt({ bandwidthPerMigration: onCR }) }).outcome).toBe(
      'Unchanged',
    );
  });

  it.each([
    ['"1Gi"', '1023Mi'],
    ['1', '0'],
    ['"64Mi"', '64M'],
  ])('different quantities are a change (%s against %s on the CR)', (inSetting, onCR) => {
    const value = `{"bandwidthPerMigration":${inSetting}}`;
    expect(
      patchOf(pass({ setting: changed(value), kubevirt: kubevirt({ bandwidthPerMigration: onCR }) }))[1],
    ).toMatchObject({ op: 'replace' });
  });

  it('a zero KubeVirt could not read back (0Pi, 0.0Gi) goes to the CR as 0', () => {
    expect(patchOf(pass({ setting: changed('{"bandwidthPerMigration":"0Pi"}'), kubevirt: kubevirt() }))[1]).toEqual({
      op: 'add',
      path: '/spec/configuration/migrations',
      value: { bandwidthPerMigration: 0 },
    });
    expect(
      patchOf(
        pass({
          setting: changed('{"bandwidthPerMigration":"0"}'),
          kubevirt: kubevirt({ bandwidthPerMigration: '0.0Gi' }),
        }),
      )[1],
    ).toEqual({
      op: 'replace',
      path: '/spec/configuration/migrations/bandwidthPerMigration',
      value: '0',
    });
    expect(
      pass({ setting: changed('{"bandwidthPerMigration":"0.0Gi"}'), kubevirt: kubevirt({ bandwidthPerMigration: 0 }) })
        .outcome,
    ).toBe('Unchanged');
  });

  it('an owned key that is null on the CR is replaced by the desired value', () => {
    const block = { parallelMigrationsPerCluster: null };
    expect(
      patchOf(pass({ setting: changed('{"parallelMigrationsPerCluster":3}'), kubevirt: kubevirt(block) })),
    ).toEqual([
      { op: 'test', path: '/spec/configuration/migrations', value: block },
      { op: 'replace', path: '/spec/configuration/migrations/parallelMigrationsPerCluster', value: 3 },
    ]);
  });

  it('an owned key set to null on the CR that the setting leaves out is left alone', () => {
    expect(pass({ setting: changed('{}'), kubevirt: kubevirt({ progressTimeout: null }) }).outcome).toBe('Unchanged');
  });

  it('network is never touched, even when the setting clears it', () => {
    expect(pass({ setting: changed('{"network":""}'), kubevirt: kubevirt({ network: 'migration-net' }) }).outcome).toBe(
      'Unchanged',
    );
  });

  it.each([['example.com/drain'], [''], [7]])(
    'a nodeDrainTaintKey of %j is removed, with a warning and no Applied event',
    (key) => {
      const p = pass({ setting: changed('{}'), kubevirt: kubevirt({ nodeDrainTaintKey: key }) });
      expect(p).toMatchObject({
        outcome: 'Applied',
        patch: [
          { op: 'test', path: '/spec/configuration/migrations', value: { nodeDrainTaintKey: key } },
          { op: 'remove', path: '/spec/configuration/migrations/nodeDrainTaintKey' },
        ],
      });
      expect(p.steps.filter((s) => s.kind === 'Event')).toEqual([
        event(
          'Warning',
          'DrainKeyRemoved',
          `removed nodeDrainTaintKey ${JSON.stringify(key)} from the KubeVirt CR: Harvester's upgrade taints nodes with kubevirt.io/drain, so any other key would stop node drains from migrating VMs`,
        ),
      ]);
    },
  );

  it.each([['kubevirt.io/drain'], [null]])('a nodeDrainTaintKey of %j is left alone', (key) => {
    expect(pass({ setting: changed('{}'), kubevirt: kubevirt({ nodeDrainTaintKey: key }) }).outcome).toBe('Unchanged');
  });

  it('a drift and a foreign drain key: DriftCorrected, then DrainKeyRemoved', () => {
    const value = '{"progressTimeout":60}';
    const p = pass({ setting: applied(value), kubevirt: kubevirt({ progressTimeout: 61, nodeDrainTaintKey: 'x' }) });
    expect(p.outcome).toBe('DriftCorrected');
    expect(p.steps.filter((s) => s.kind === 'Event').map((s) => (s.kind === 'Event' ? s.notice.reason : ''))).toEqual([
      'DriftCorrected',
      'DrainKeyRemoved',
    ]);
  });

  it('a missing spec.configuration is added whole', () => {
    const cr = { metadata: { name: 'kubevirt', resourceVersion: '7' }, spec: {} };
    const p = pass({ setting: changed('{"allowAutoConverge":true}'), kubevirt: cr });
    expect(patchOf(p)).toEqual([
      { op: 'test', path: '/metadata/resourceVersion', value: '7' },
      { op: 'add', path: '/spec/configuration', value: { migrations: { allowAutoConverge: true } } },
    ]);
    expect(after(cr, p)).toEqual({ ...cr, spec: { configuration: { migrations: { allowAutoConverge: true } } } });
  });

  it('a CR without spec gets the whole spec', () => {
    const cr = { metadata: { name: 'kubevirt', resourceVersion: '7' } };
    expect(patchOf(pass({ setting: changed('{"allowAutoConverge":true}'), kubevirt: cr }))).toEqual([
      { op: 'test', path: '/metadata/resourceVersion', value: '7' },
      { op: 'add', path: '/spec', value: { configuration: { migrations: { allowAutoConverge: true } } } },
    ]);
  });

  it.each([
    [
      'no resourceVersion',
      { spec: { configuration: { a: 1 } } },
      { op: 'test', path: '/spec/configuration', value: { a: 1 } },
    ],
    [
      'an empty resourceVersion',
      { metadata: { resourceVersion: '' }, spec: { configuration: { a: 1 } } },
      { op: 'test', path: '/spec/configuration', value: { a: 1 } },
    ],
    ['no spec and no resourceVersion', {}, { op: 'test', path: '', value: {} }],
  ])('with %s (a file), the nearest existing ancestor is tested', (_name, cr, guard) => {
    expect(patchOf(pass({ setting: changed('{"allowAutoConverge":true}'), kubevirt: cr }))[0]).toEqual(guard);
  });

  it('adding an empty object is not a change', () => {
    expect(pass({ setting: changed('{}'), kubevirt: kubevirt() }).outcome).toBe('Unchanged');
  });

  it('an invalid setting plans no write to the CR and reports every violation', () => {
    expect(
      pass({ setting: changed('{"parallelMigrationsPerCluster":0,"network":"x"}'), kubevirt: kubevirt() }),
    ).toMatchObject({
      outcome: 'Invalid',
      violations: [
        { reason: 'FieldValueInvalid', field: 'value.parallelMigrationsPerCluster' },
        { reason: 'FieldValueForbidden', field: 'value.network' },
      ],
    });
  });

  it('an option that the installed CRD lacks makes the setting invalid', () => {
    const p = pass({
      setting: changed('{"maxDowntimeMs":100}'),
      kubevirt: kubevirt(),
      supportedOptions: new Set(OPTION_KEYS.filter((k) => k !== 'maxDowntimeMs')),
    });
    expect(p).toMatchObject({
      outcome: 'Invalid',
      violations: [{ reason: 'FieldValueNotSupported', field: 'value.maxDowntimeMs' }],
    });
  });
});

describe('plan: first sight, nothing lost (Harvester bug #11517)', () => {
  const custom = {
    parallelMigrationsPerCluster: 10,
    bandwidthPerMigration: '1Gi',
    allowPostCopy: true,
    network: 'mig',
    nodeDrainTaintKey: 'kubevirt.io/drain',
  };
  const adoptedValue = '{"parallelMigrationsPerCluster":10,"bandwidthPerMigration":"1Gi","allowPostCopy":true}';

  it('a never-applied setting with a blank value adopts the CR options: writes only the value, then the Adopted event', () => {
    expect(pass({ setting: setting(''), kubevirt: kubevirt(custom) })).toEqual({
      outcome: 'Adopted',
      value: adoptedValue,
      omitted: [],
      steps: [
        { kind: 'PatchSetting', patch: [RV_GUARD, { op: 'add', path: '/value', value: adoptedValue }] },
        event(
          'Normal',
          'Adopted',
          `the setting had never been applied and its value was blank: kept the KubeVirt CR's migration options as the value ${adoptedValue}`,
        ),
      ],
    });
  });

  it('an absent value is named so in the event', () => {
    const p = pass({ setting: setting(undefined), kubevirt: kubevirt(custom) });
    expect(p.steps[1]).toMatchObject({ notice: { message: expect.stringContaining('its value was absent') } });
  });

  it('an option that fails validation is left out and reported in a second, Warning event', () => {
    const p = pass({
      setting: setting(undefined),
      kubevirt: kubevirt({ parallelMigrationsPerCluster: 0, progressTimeout: 30 }),
    });
    expect(p).toMatchObject({
      outcome: 'Adopted',
      value: '{"progressTimeout":30}',
      omitted: [{ reason: 'FieldValueInvalid', field: 'spec.configuration.migrations.parallelMigrationsPerCluster' }],
    });
    expect(p.steps.map((s) => (s.kind === 'Event' ? s.notice.reason : s.kind))).toEqual([
      'PatchSetting',
      'Adopted',
      'AdoptionOmitted',
    ]);
    expect(p.steps[2]).toEqual(
      event(
        'Warning',
        'AdoptionOmitted',
        'left out of the adopted value: spec.configuration.migrations.parallelMigrationsPerCluster: Invalid value: 0: must be from 1 to 2147483647',
      ),
    );
  });

  it('a CR whose owned options are all invalid: nothing to adopt, so the default is applied', () => {
    const p = pass({
      setting: setting(''),
      kubevirt: kubevirt({ parallelMigrationsPerCluster: 0, progressTimeout: 'soon' }),
    });
    expect(p.outcome).toBe('Applied');
  });

  it.each<[string, unknown, unknown]>([
    ['the setting was applied before', setting('', { annotations: { [HASH_ANNOTATION]: 'x' } }), kubevirt(custom)],
    ['value is set', setting('{"parallelMigrationsPerCluster":4}'), kubevirt(custom)],
    ['the CR has no owned options', setting(''), kubevirt({ network: 'mig' })],
    ['the CR equals the default', setting(''), kubevirt(JSON.parse(HARVESTER_DEFAULT) as Record<string, unknown>)],
    ['the CR has no migrations block', setting(''), kubevirt()],
  ])('no adoption when %s', (_name, s, cr) => {
    expect(pass({ setting: s, kubevirt: cr }).outcome).not.toBe('Adopted');
  });

  it('the pass after an adoption plans the CR as usual and finds it converged', () => {
    const first = pass({ setting: setting(''), kubevirt: kubevirt(custom) });
    const value = first.outcome === 'Adopted' ? first.value : '';
    expect(pass({ setting: setting(value), kubevirt: kubevirt(custom) }).outcome).toBe('Unchanged');
  });
});

describe('plan: properties', () => {
  const ownedOf = (config: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(config).filter(([k]) => k !== 'network' && k !== 'nodeDrainTaintKey'));

  it('plan(x, x) sends nothing to the CR', () => {
    fc.assert(
      fc.property(validConfig, (config) => {
        const value = JSON.stringify(config);
        expect(pass({ setting: applied(value, ownedOf(config)), kubevirt: kubevirt(ownedOf(config)) }).outcome).toBe(
          'Unchanged',
        );
      }),
    );
  });

  it('applying plan(desired, actual) to actual gives desired on owned paths (judged by an independent oracle) and leaves the rest alone', () => {
    fc.assert(
      fc.property(validConfig, migrationsBlock, fc.boolean(), (desired, block, present) => {
        const gates = [...HARVESTER_GATES, 'MigrationStallDetection'];
        const cr = present ? kubevirt(block, '42', gates) : kubevirt(undefined, '42', gates);
        const p = pass({ setting: changed(JSON.stringify(desired)), kubevirt: cr });
        const result = migrationsOf(after(cr, p)) ?? {};
        for (const key of OWNED_KEYS)
          expect([key, meaning(key, result[key])]).toEqual([key, meaning(key, desired[key])]);
        const before: Record<string, unknown> = present ? block : {};
        expect(result['network']).toEqual(before['network']);
        // compared as JSON: JSON has no -0, and a copy of the CR may turn -0 into 0
        for (const k of ['futureOption', 'x-extra']) expect(asJson(result[k])).toEqual(asJson(before[k]));
        const drain = before['nodeDrainTaintKey'];
        expect(result['nodeDrainTaintKey']).toEqual(drain === 'kubevirt.io/drain' ? drain : undefined);
        const ops = patchOf(p);
        if (ops.length > 0) expect(ops[0]?.op).toBe('test');
        // a second pass on the result is converged
        expect(patchOf(pass({ setting: changed(JSON.stringify(desired)), kubevirt: after(cr, p) }))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('decode of an encoded configuration gives it back', () => {
    fc.assert(
      fc.property(validConfig, (config) => {
        const decoded = decodeConfigObject(config, ['value']);
        if (E.isLeft(decoded)) throw new Error(JSON.stringify(decoded.left));
        const round = decodeConfigObject(JSON.parse(JSON.stringify(encodeConfig(decoded.right))), ['value']);
        expect(round).toEqual(E.right(decoded.right));
      }),
    );
  });
});

describe('plan: adoption writes', () => {
  const block = { parallelMigrationsPerCluster: 10 };
  const adoption = adopt(kubevirt(block));

  it('onto a blank value: guarded by the resourceVersion', () => {
    expect(planAdoptionWrite(setting('  '), adoption)).toEqual(
      E.right([
        { op: 'test', path: '/metadata/resourceVersion', value: '7' },
        { op: 'add', path: '/value', value: '{"parallelMigrationsPerCluster":10}' },
      ]),
    );
  });

  it('onto a value that already means the same: nothing to write', () => {
    expect(planAdoptionWrite(setting('{ "parallelMigrationsPerCluster": 10 }'), adoption)).toEqual(E.right([]));
  });

  it.each([['{"parallelMigrationsPerCluster":11}'], ['not json']])(
    'never over a value that means something else (%s)',
    (value) => {
      expect(planAdoptionWrite(setting(value), adoption)).toEqual(
        E.left(
          'the setting already has a value that differs from the CR; adopt writes only a blank value (clear it first to adopt)',
        ),
      );
    },
  );

  it('adopts only owned options, each judged on its own, nulls skipped', () => {
    const a = adopt(
      kubevirt({
        progressTimeout: null,
        parallelMigrationsPerCluster: 'x',
        network: 'n',
        nodeDrainTaintKey: 'k',
        allowPostCopy: true,
      }),
    );
    expect(a.value).toBe('{"allowPostCopy":true}');
    expect(a.omitted.map((v) => v.field)).toEqual(['spec.configuration.migrations.parallelMigrationsPerCluster']);
  });

  it('a CR without a migrations block adopts nothing', () => {
    expect(adopt(kubevirt())).toEqual({ value: '{}', config: {}, omitted: [] });
  });
});
