import { featureGatesOf, gateViolations } from './feature-gates.js';
import { kubevirt } from './testing/fixtures.js';

describe('featureGatesOf: the gates the KubeVirt CR lists', () => {
  it.each<[string, unknown, string[]]>([
    ["Harvester's CR", kubevirt(), ['LiveMigration', 'HotplugVolumes']],
    ['no developerConfiguration', { spec: { configuration: {} } }, []],
    ['no CR at all', undefined, []],
    [
      'a list with junk in it',
      { spec: { configuration: { developerConfiguration: { featureGates: ['A', 5, null, 'B'] } } } },
      ['A', 'B'],
    ],
    ['not a list', { spec: { configuration: { developerConfiguration: { featureGates: 'A' } } } }, []],
  ])('%s', (_name, cr, gates) => {
    expect([...featureGatesOf(cr)]).toEqual(gates);
  });
});

describe('gateViolations: a gated option set to a new value without its gate (docs/semantics.md §2a)', () => {
  const none = new Set<string>();
  it.each<[string, unknown, unknown, ReadonlySet<string> | undefined, string[]]>([
    ['set from absent', {}, { maxDowntimeMs: 500 }, none, ['value.maxDowntimeMs']],
    ['changed', { maxDowntimeMs: 900 }, { maxDowntimeMs: 500 }, none, ['value.maxDowntimeMs']],
    ['the same value', { maxDowntimeMs: 500 }, { maxDowntimeMs: 500 }, none, []],
    ['removed', { maxDowntimeMs: 500 }, {}, none, []],
    ['set to null (absent)', { maxDowntimeMs: 500 }, { maxDowntimeMs: null }, none, []],
    ['a previous block that is not an object', 'junk', { maxDowntimeMs: 500 }, none, ['value.maxDowntimeMs']],
    ['gates not known', {}, { maxDowntimeMs: 500 }, undefined, []],
    ['MigrationStallDetection', {}, { maxDowntimeMs: 500 }, new Set(['MigrationStallDetection']), []],
    ['MigrationDowntimeTuning', {}, { maxDowntimeMs: 500 }, new Set(['MigrationDowntimeTuning']), []],
    [
      'the gate in another case is not the gate',
      {},
      { maxDowntimeMs: 500 },
      new Set(['migrationstalldetection']),
      ['value.maxDowntimeMs'],
    ],
    ['an ungated option', {}, { progressTimeout: 5 }, none, []],
  ])('%s', (_name, previous, next, gates, fields) => {
    expect(gateViolations(previous, next, gates, 'value').map((v) => v.field)).toEqual(fields);
  });
});
