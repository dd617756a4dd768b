// admit and plan on a typical setting, one core (Node runs them on one thread).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { throughput, table } from './stats.mjs';

export const run = async (root) => {
  const policy = await import(pathToFileURL(join(root, 'libs/migration-policy/dist/index.js')).href);
  const { admit, plan, HARVESTER_DEFAULT, HASH_ANNOTATION, appliedMarker } = policy;
  const value = '{"parallelMigrationsPerCluster":8,"parallelOutboundMigrationsPerNode":3,"bandwidthPerMigration":"512Mi","completionTimeoutPerGiB":300,"progressTimeout":150,"allowAutoConverge":true}';
  const setting = (v, annotations = {}) => ({ apiVersion: 'harvesterhci.io/v1beta1', kind: 'Setting', metadata: { name: 'kubevirt-migration', annotations }, default: HARVESTER_DEFAULT, value: v });
  const oldSetting = setting(undefined);
  const newSetting = setting(value);
  const migrations = [{ metadata: { namespace: 'default', name: 'done' }, status: { phase: 'Succeeded' } }];
  const supportedOptions = new Set(['allowAutoConverge', 'allowPostCopy', 'allowWorkloadDisruption', 'bandwidthPerMigration', 'completionTimeoutPerGiB', 'disableTLS', 'matchSELinuxLevelOnMigration', 'network', 'nodeDrainTaintKey', 'parallelMigrationsPerCluster', 'parallelOutboundMigrationsPerNode', 'progressTimeout', 'unsafeMigrationOverride']);
  const kubevirt = (migrationsBlock) => ({ apiVersion: 'kubevirt.io/v1', kind: 'KubeVirt', metadata: { name: 'kubevirt', namespace: 'harvester-system', resourceVersion: '1' }, spec: { configuration: { developerConfiguration: { featureGates: ['LiveMigration'] }, migrations: migrationsBlock } } });
  const stale = kubevirt(JSON.parse(HARVESTER_DEFAULT));
  const converged = kubevirt(JSON.parse(value));
  const applied = setting(value, { [HASH_ANNOTATION]: appliedMarker({ value, annotations: {} }) });

  if (admit({ operation: 'UPDATE', oldObject: oldSetting, object: newSetting, migrations, supportedOptions }).allowed !== true) throw new Error('admit: unexpected denial');
  if (plan({ setting: applied, kubevirt: stale, supportedOptions }).outcome !== 'Patch') throw new Error('plan: expected a patch');
  if (plan({ setting: applied, kubevirt: converged, supportedOptions }).outcome !== 'Unchanged') throw new Error('plan: expected no change');

  const rows = [
    ['admit: UPDATE that changes the configuration', () => admit({ operation: 'UPDATE', oldObject: oldSetting, object: newSetting, migrations, supportedOptions })],
    ['admit: UPDATE of labels only (no change)', () => admit({ operation: 'UPDATE', oldObject: newSetting, object: newSetting, migrations, supportedOptions })],
    ['admit: invalid value (422)', () => admit({ operation: 'CREATE', object: setting('{"parallelMigrationsPerCluster":0,"bogus":1}'), migrations })],
    ['plan: stale CR (a 7-op patch)', () => plan({ setting: applied, kubevirt: stale, supportedOptions })],
    ['plan: converged CR (no patch)', () => plan({ setting: applied, kubevirt: converged, supportedOptions })],
  ].map(([name, fn]) => {
    const rate = throughput(fn);
    // the target is for a typical (valid) setting; an invalid one is shown for scale
    const target = name.includes('invalid') ? 'n/a' : rate >= 50000 ? 'met' : 'MISSED';
    return { operation: name, 'ops/s (median of 5 x 1 s)': Math.round(rate).toLocaleString('en-US'), 'µs/op': (1e6 / rate).toFixed(1), 'target 50,000/s': target };
  });
  table(rows);
};
