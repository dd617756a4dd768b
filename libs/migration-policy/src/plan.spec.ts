import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { plan, type Plan } from './plan.js';
import { OPTION_KEYS } from './options.js';
import { applyPatch } from './patch.js';
import { appliedMarker } from './marker.js';
import { canonicalize } from './canonical.js';
import { decodeConfigObject, encodeConfig } from './config.js';
import { HARVESTER_DEFAULT, HASH_ANNOTATION } from './setting.js';
import { kubevirt, setting } from './testing/fixtures.js';
import { migrationsBlock, validConfig } from './testing/arbitraries.js';

/** A setting that was applied already (its marker matches), so first-sight adoption is out of play. */
const applied = (value: string | undefined) => setting(value, { annotations: { [HASH_ANNOTATION]: appliedMarker({ value, annotations: {} }) } });
/** A setting applied once, for an earlier value. */
const changed = (value: string | undefined) => setting(value, { annotations: { [HASH_ANNOTATION]: 'earlier' } });

const patchOf = (p: Plan) => (p.outcome === 'Patch' ? p.patch : []);
const after = (cr: unknown, p: Plan): unknown => {
  const r = applyPatch(cr, patchOf(p));
  if (E.isLeft(r)) throw new Error(r.left);
  return r.right;
};
const asJson = (v: unknown): unknown => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
const migrationsOf = (cr: unknown): unknown => (cr as { spec: { configuration: { migrations?: unknown } } }).spec.configuration.migrations;

describe('plan: section 5', () => {
  it('apply: a CR without a migrations block gets the whole block, guarded by its resourceVersion', () => {
    const p = plan({ setting: changed('{"parallelMigrationsPerCluster":3,"network":""}'), kubevirt: kubevirt() });
    expect(p).toEqual({
      outcome: 'Patch',
      drift: false,
      desired: { parallelMigrationsPerCluster: 3 },
      notices: [],
      patch: [
        { op: 'test', path: '/metadata/resourceVersion', value: '42' },
        { op: 'add', path: '/spec/configuration/migrations', value: { parallelMigrationsPerCluster: 3 } },
      ],
    });
  });

  it('unchanged: a converged CR plans nothing', () => {
    const value = '{"parallelMigrationsPerCluster":3,"bandwidthPerMigration":"1Gi"}';
    expect(plan({ setting: applied(value), kubevirt: kubevirt({ parallelMigrationsPerCluster: 3, bandwidthPerMigration: '1024Mi' }) })).toEqual({
      outcome: 'Unchanged',
      desired: { parallelMigrationsPerCluster: 3, bandwidthPerMigration: '1Gi' },
    });
  });

  it('add, replace and remove, all after one test of the prior block', () => {
    const block = { parallelMigrationsPerCluster: 5, allowPostCopy: true, network: 'migration', futureOption: 1 };
    const p = plan({ setting: changed('{"parallelMigrationsPerCluster":3,"progressTimeout":60}'), kubevirt: kubevirt(block) });
    expect(patchOf(p)).toEqual([
      { op: 'test', path: '/spec/configuration/migrations', value: block },
      { op: 'replace', path: '/spec/configuration/migrations/parallelMigrationsPerCluster', value: 3 },
      { op: 'add', path: '/spec/configuration/migrations/progressTimeout', value: 60 },
      { op: 'remove', path: '/spec/configuration/migrations/allowPostCopy' },
    ]);
    expect(migrationsOf(after(kubevirt(block), p))).toEqual({ parallelMigrationsPerCluster: 3, progressTimeout: 60, network: 'migration', futureOption: 1 });
  });

  it('equal quantities are not a change', () => {
    const p = plan({ setting: applied('{"bandwidthPerMigration":0}'), kubevirt: kubevirt({ bandwidthPerMigration: '0Mi' }) });
    expect(p.outcome).toBe('Unchanged');
  });

  it('network is never touched, even when the setting clears it', () => {
    const p = plan({ setting: changed('{"network":""}'), kubevirt: kubevirt({ network: 'migration-net' }) });
    expect(p.outcome).toBe('Unchanged');
  });

  it.each([['example.com/drain'], ['']])('a nodeDrainTaintKey of %j is removed, with a warning', (key) => {
    const p = plan({ setting: applied('{}'), kubevirt: kubevirt({ nodeDrainTaintKey: key }) });
    expect(p).toMatchObject({
      outcome: 'Patch',
      drift: false,
      patch: [
        { op: 'test', path: '/spec/configuration/migrations', value: { nodeDrainTaintKey: key } },
        { op: 'remove', path: '/spec/configuration/migrations/nodeDrainTaintKey' },
      ],
      notices: [{ type: 'Warning', reason: 'DrainKeyRemoved' }],
    });
  });

  it('the kubevirt.io/drain key is left alone', () => {
    expect(plan({ setting: applied('{}'), kubevirt: kubevirt({ nodeDrainTaintKey: 'kubevirt.io/drain' }) }).outcome).toBe('Unchanged');
  });

  it('a missing spec.configuration is added whole', () => {
    const cr = { metadata: { name: 'kubevirt', resourceVersion: '7' }, spec: {} };
    const p = plan({ setting: changed('{"allowAutoConverge":true}'), kubevirt: cr });
    expect(patchOf(p)).toEqual([
      { op: 'test', path: '/metadata/resourceVersion', value: '7' },
      { op: 'add', path: '/spec/configuration', value: { migrations: { allowAutoConverge: true } } },
    ]);
    expect(after(cr, p)).toEqual({ ...cr, spec: { configuration: { migrations: { allowAutoConverge: true } } } });
  });

  it('without a resourceVersion (a file), the nearest existing ancestor is tested', () => {
    const cr = { spec: { configuration: { a: 1 } } };
    expect(patchOf(plan({ setting: changed('{"allowAutoConverge":true}'), kubevirt: cr }))[0]).toEqual({
      op: 'test',
      path: '/spec/configuration',
      value: { a: 1 },
    });
  });

  it('adding an empty object is not a change', () => {
    expect(plan({ setting: changed('{}'), kubevirt: kubevirt() }).outcome).toBe('Unchanged');
  });

  it('an invalid setting plans no write and reports every violation', () => {
    expect(plan({ setting: changed('{"parallelMigrationsPerCluster":0,"network":"x"}'), kubevirt: kubevirt() })).toMatchObject({
      outcome: 'Invalid',
      violations: [
        { reason: 'FieldValueInvalid', field: 'value.parallelMigrationsPerCluster' },
        { reason: 'FieldValueForbidden', field: 'value.network' },
      ],
    });
  });

  it('an option that the installed CRD lacks makes the setting invalid', () => {
    const p = plan({ setting: changed('{"maxDowntimeMs":100}'), kubevirt: kubevirt(), supportedOptions: new Set(OPTION_KEYS.filter((k) => k !== 'maxDowntimeMs')) });
    expect(p).toMatchObject({ outcome: 'Invalid', violations: [{ reason: 'FieldValueNotSupported', field: 'value.maxDowntimeMs' }] });
  });

  it('drift: a change made on the CR after the setting was applied is reverted, with DriftCorrected', () => {
    const value = '{"parallelMigrationsPerCluster":3}';
    const p = plan({ setting: applied(value), kubevirt: kubevirt({ parallelMigrationsPerCluster: 9 }) });
    expect(p).toMatchObject({
      outcome: 'Patch',
      drift: true,
      notices: [{ type: 'Normal', reason: 'DriftCorrected' }],
      patch: [{ op: 'test' }, { op: 'replace', path: '/spec/configuration/migrations/parallelMigrationsPerCluster', value: 3 }],
    });
  });

  it.each<[string, unknown, Plan]>([
    ['absent', undefined, { outcome: 'Ignored', reason: 'SettingAbsent' }],
    ['being deleted', { ...setting('{}'), metadata: { name: 'kubevirt-migration', deletionTimestamp: '2026-01-01T00:00:00Z' } }, { outcome: 'Ignored', reason: 'SettingDeleting' }],
  ])('a Setting %s: nothing is done to the CR', (_name, s, expected) => {
    expect(plan({ setting: s, kubevirt: kubevirt({ parallelMigrationsPerCluster: 1 }) })).toEqual(expected);
  });
});

describe('plan: first sight, nothing lost (Harvester bug #11517)', () => {
  const custom = { parallelMigrationsPerCluster: 10, bandwidthPerMigration: '1Gi', allowPostCopy: true, network: 'mig', nodeDrainTaintKey: 'kubevirt.io/drain' };

  it('a never-applied setting with a blank value adopts the CR options instead of overwriting them', () => {
    expect(plan({ setting: setting(''), kubevirt: kubevirt(custom) })).toEqual({
      outcome: 'Adopt',
      value: '{"parallelMigrationsPerCluster":10,"bandwidthPerMigration":"1Gi","allowPostCopy":true}',
      omitted: [],
    });
  });

  it('an option that fails validation is left out and reported', () => {
    const p = plan({ setting: setting(undefined), kubevirt: kubevirt({ parallelMigrationsPerCluster: 0, progressTimeout: 30 }) });
    expect(p).toMatchObject({
      outcome: 'Adopt',
      value: '{"progressTimeout":30}',
      omitted: [{ reason: 'FieldValueInvalid', field: 'spec.configuration.migrations.parallelMigrationsPerCluster' }],
    });
  });

  it.each<[string, unknown, unknown]>([
    ['the setting was applied before', setting('', { annotations: { [HASH_ANNOTATION]: 'x' } }), kubevirt(custom)],
    ['value is set', setting('{"parallelMigrationsPerCluster":4}'), kubevirt(custom)],
    ['the CR has no owned options', setting(''), kubevirt({ network: 'mig' })],
    ['the CR equals the default', setting(''), kubevirt(JSON.parse(HARVESTER_DEFAULT))],
  ])('no adoption when %s', (_name, s, cr) => {
    expect(plan({ setting: s, kubevirt: cr }).outcome).not.toBe('Adopt');
  });

  it('the pass after an adoption plans the CR as usual and finds it converged', () => {
    const first = plan({ setting: setting(''), kubevirt: kubevirt(custom) });
    const value = first.outcome === 'Adopt' ? first.value : '';
    const second = plan({ setting: setting(value), kubevirt: kubevirt(custom) });
    expect(second.outcome).toBe('Unchanged');
  });
});

describe('plan: properties', () => {
  const withBlock = (block: Record<string, unknown>) => kubevirt(block);

  it('plan(x, x) is empty', () => {
    fc.assert(
      fc.property(validConfig, (config) => {
        const value = JSON.stringify(config);
        const owned = Object.fromEntries(Object.entries(config).filter(([k]) => k !== 'network' && k !== 'nodeDrainTaintKey'));
        expect(plan({ setting: applied(value), kubevirt: withBlock(owned) }).outcome).toBe('Unchanged');
      }),
    );
  });

  it('applying plan(desired, actual) to actual gives desired on owned paths and leaves network and foreign keys untouched', () => {
    fc.assert(
      fc.property(validConfig, migrationsBlock, fc.boolean(), (desired, block, present) => {
        const cr = present ? withBlock(block) : kubevirt();
        const p = plan({ setting: changed(JSON.stringify(desired)), kubevirt: cr });
        const result = migrationsOf(after(cr, p)) ?? {};
        expect([...canonicalize(result)]).toEqual([...canonicalize(desired)]);
        const before = (present ? block : {}) as Record<string, unknown>;
        const res = result as Record<string, unknown>;
        expect(res['network']).toEqual(before['network']);
        // compared as JSON: JSON has no -0, and a copy of the CR may turn -0 into 0
        for (const k of ['futureOption', 'x-extra']) expect(asJson(res[k])).toEqual(asJson(before[k]));
        const drain = before['nodeDrainTaintKey'];
        expect(res['nodeDrainTaintKey']).toEqual(drain === 'kubevirt.io/drain' ? drain : undefined);
        const ops = patchOf(p);
        if (ops.length > 0) expect(ops[0]?.op).toBe('test');
        // a second pass on the result is converged
        expect(plan({ setting: changed(JSON.stringify(desired)), kubevirt: after(cr, p) }).outcome).toBe('Unchanged');
      }),
      { numRuns: 300 },
    );
  });

  it('decode of an encoded configuration gives it back', () => {
    fc.assert(
      fc.property(validConfig, (config) => {
        const decoded = decodeConfigObject(config, 'value');
        if (E.isLeft(decoded)) throw new Error(JSON.stringify(decoded.left));
        const round = decodeConfigObject(JSON.parse(JSON.stringify(encodeConfig(decoded.right))), 'value');
        expect(round).toEqual(E.right(decoded.right));
      }),
    );
  });
});
