// admit and plan on a typical setting, one core (Node runs them on one thread).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import { parse } from 'yaml';
import { admit, decodeSupportedOptions, HARVESTER_DEFAULT, plan } from '@kubevirt-migration/migration-policy';
import { fmt, table, throughput } from './stats.js';

export const TYPICAL_VALUE =
  '{"parallelMigrationsPerCluster":8,"parallelOutboundMigrationsPerNode":3,"bandwidthPerMigration":"512Mi","completionTimeoutPerGiB":300,"progressTimeout":150,"allowAutoConverge":true}';

/** The options the KubeVirt 1.7.0 CRD lists, read from the CRD file the project keeps. */
const supported170 = (): ReadonlySet<string> => {
  const crd: unknown = parse(
    readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'control-plane', 'crds', 'kubevirt-kubevirts.kubevirt.io-v1.7.0.yaml'), 'utf8'),
  );
  const options = decodeSupportedOptions(crd);
  if (E.isLeft(options)) throw new Error(`the KubeVirt CRD file ${options.left}`);
  return options.right;
};

export const settingObject = (value: string | undefined, annotations: Record<string, string> = {}) => ({
  apiVersion: 'harvesterhci.io/v1beta1',
  kind: 'Setting',
  metadata: { name: 'kubevirt-migration', annotations },
  default: HARVESTER_DEFAULT,
  ...(value === undefined ? {} : { value }),
});

export const run = async (): Promise<void> => {
  const oldSetting = settingObject(undefined);
  const newSetting = settingObject(TYPICAL_VALUE);
  const migrations = [{ metadata: { namespace: 'default', name: 'done' }, status: { phase: 'Succeeded' } }];
  const kubevirt = (block: unknown) => ({
    metadata: { name: 'kubevirt', namespace: 'harvester-system', resourceVersion: '1' },
    spec: { configuration: { developerConfiguration: { featureGates: ['LiveMigration'] }, migrations: block } },
  });
  const stale = kubevirt(JSON.parse(HARVESTER_DEFAULT));
  const converged = kubevirt(JSON.parse(TYPICAL_VALUE));
  // applied before (any marker): first-sight adoption is out of play
  const applied = settingObject(TYPICAL_VALUE, { 'harvesterhci.io/hash': 'applied' });
  const now = new Date().toISOString();
  const supportedOptions = supported170();

  if (!admit({ operation: 'UPDATE', oldObject: oldSetting, object: newSetting, migrations, supportedOptions }).allowed)
    throw new Error('admit: unexpected denial');
  if (plan({ setting: applied, kubevirt: stale, supportedOptions, now }).outcome !== 'Applied') throw new Error('plan: expected a patch');
  if (plan({ setting: applied, kubevirt: converged, supportedOptions, now }).outcome !== 'Unchanged') throw new Error('plan: expected no change');

  const rows: [string, () => unknown, boolean][] = [
    [
      'admit: UPDATE that changes the configuration',
      () => admit({ operation: 'UPDATE', oldObject: oldSetting, object: newSetting, migrations, supportedOptions }),
      true,
    ],
    [
      'admit: UPDATE of labels only (no change)',
      () => admit({ operation: 'UPDATE', oldObject: newSetting, object: newSetting, migrations, supportedOptions }),
      true,
    ],
    ['plan: stale CR (a 7-op patch)', () => plan({ setting: applied, kubevirt: stale, supportedOptions, now }), true],
    ['plan: converged CR (no patch)', () => plan({ setting: applied, kubevirt: converged, supportedOptions, now }), true],
    [
      'admit: invalid value, 2 violations (for scale)',
      () => admit({ operation: 'CREATE', object: settingObject('{"parallelMigrationsPerCluster":0,"bogus":1}'), migrations }),
      false,
    ],
  ];
  table(
    rows.map(([operation, fn, typical]) => {
      const rate = throughput(fn);
      return {
        operation,
        'ops/s (median of 5 x 1 s)': fmt(rate),
        'µs/op': fmt(1e6 / rate, 1),
        'target 50,000/s': typical ? (rate >= 50000 ? 'met' : 'MISSED') : 'n/a',
      };
    }),
  );
};
