// admit and plan on a typical setting, one core (Node runs them on one thread).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { admit, decodeSupportedOptions, HARVESTER_DEFAULT, plan } from '@kubevirt-migration/migration-policy';
import * as E from 'fp-ts/lib/Either.js';
import { parse } from 'yaml';

import { fmt, table, throughput } from './stats.js';

export const TYPICAL_VALUE =
  '{"parallelMigrationsPerCluster":8,"parallelOutboundMigrationsPerNode":3,"bandwidthPerMigration":"512Mi","completionTimeoutPerGiB":300,"progressTimeout":150,"allowAutoConverge":true}';

/** The options the KubeVirt 1.7.0 CRD lists, read from the CRD file the project keeps. */
const supported170 = (): ReadonlySet<string> => {
  const crd: unknown = parse(
    readFileSync(
      join(
        dirname(fileURLToPath(import.meta.url)),
        '..',
        'control-plane',
        'crds',
        'kubevirt-kubevirts.kubevirt.io-v1.7.0.yaml',
      ),
      'utf8',
    ),
  );
  const options = decodeSupportedOptions(crd);
  if (E.isLeft(options)) throw new Error(`the KubeVirt CRD file ${options.left}`);
  return options.right;
};

/** A Setting as the API server sends it in a review. */
export interface SettingObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly annotations: Record<string, string> };
  readonly default: string;
  readonly value?: string;
}

export const settingObject = (value: string | undefined, annotations: Record<string, string> = {}): SettingObject => ({
  apiVersion: 'harvesterhci.io/v1beta1',
  kind: 'Setting',
  metadata: { name: 'kubevirt-migration', annotations },
  default: HARVESTER_DEFAULT,
  ...(value === undefined ? {} : { value }),
});

/** The inputs every operation of the table works on. */
const fixtures = () => {
  const kubevirt = (block: unknown) => ({
    metadata: { name: 'kubevirt', namespace: 'harvester-system', resourceVersion: '1' },
    spec: { configuration: { developerConfiguration: { featureGates: ['LiveMigration'] }, migrations: block } },
  });
  return {
    oldSetting: settingObject(undefined),
    newSetting: settingObject(TYPICAL_VALUE),
    migrations: [{ metadata: { namespace: 'default', name: 'done' }, status: { phase: 'Succeeded' } }],
    stale: kubevirt(JSON.parse(HARVESTER_DEFAULT)),
    converged: kubevirt(JSON.parse(TYPICAL_VALUE)),
    // applied before (any marker): first-sight adoption is out of play
    applied: settingObject(TYPICAL_VALUE, { 'harvesterhci.io/hash': 'applied' }),
    now: new Date().toISOString(),
    supportedOptions: supported170(),
    // texts that differ only in trailing blanks: more than the 16 the decoder remembers
    fresh: Array.from({ length: 64 }, (_, i) => settingObject(TYPICAL_VALUE + ' '.repeat(i + 1))),
  };
};
type Fixtures = ReturnType<typeof fixtures>;

/** The benchmark measures what it claims: each operation gives the outcome its row names. */
const check = ({
  oldSetting,
  newSetting,
  migrations,
  supportedOptions,
  applied,
  stale,
  converged,
  now,
}: Fixtures): void => {
  if (!admit({ operation: 'UPDATE', oldObject: oldSetting, object: newSetting, migrations, supportedOptions }).allowed)
    throw new Error('admit: unexpected denial');
  if (plan({ setting: applied, kubevirt: stale, supportedOptions, now }).outcome !== 'Applied')
    throw new Error('plan: expected a patch');
  if (plan({ setting: applied, kubevirt: converged, supportedOptions, now }).outcome !== 'Unchanged')
    throw new Error('plan: expected no change');
};

/** The floor, in the same run: reading and writing the same AdmissionReview as JSON text. */
const reviewTextOf = ({ oldSetting, newSetting }: Fixtures): string =>
  JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'bench',
      operation: 'UPDATE',
      name: 'kubevirt-migration',
      object: newSetting,
      oldObject: oldSetting,
    },
  });

const operations = (f: Fixtures): [string, () => unknown][] => {
  const { oldSetting, newSetting, migrations, supportedOptions, applied, stale, converged, now, fresh } = f;
  let turn = 0;
  return [
    [
      'admit: UPDATE that changes the configuration',
      () => admit({ operation: 'UPDATE', oldObject: oldSetting, object: newSetting, migrations, supportedOptions }),
    ],
    [
      'admit: UPDATE of labels only (no change)',
      () => admit({ operation: 'UPDATE', oldObject: newSetting, object: newSetting, migrations, supportedOptions }),
    ],
    ['plan: stale CR (a 7-op patch)', () => plan({ setting: applied, kubevirt: stale, supportedOptions, now })],
    ['plan: converged CR (no patch)', () => plan({ setting: applied, kubevirt: converged, supportedOptions, now })],
    [
      // a value not seen before on every call: what the first review of a real change costs
      'admit: UPDATE, a value never seen before (nothing remembered)',
      () =>
        admit({
          operation: 'UPDATE',
          oldObject: oldSetting,
          object: fresh[(turn = (turn + 1) % fresh.length)] ?? newSetting,
          migrations,
          supportedOptions,
        }),
    ],
    [
      'admit: invalid value, 2 violations (for scale)',
      () =>
        admit({
          operation: 'CREATE',
          object: settingObject('{"parallelMigrationsPerCluster":0,"bogus":1}'),
          migrations,
        }),
    ],
  ];
};

export const run = async (): Promise<void> => {
  const f = fixtures();
  check(f);
  const reviewText = reviewTextOf(f);
  const floorRate = throughput(() => JSON.stringify(JSON.parse(reviewText)));
  report(floorRate, reviewText.length, operations(f));
};

/** The table: each operation's rate and its time against the floor's. */
const report = (floorRate: number, reviewBytes: number, rows: readonly (readonly [string, () => unknown])[]): void => {
  table([
    {
      operation: `floor: JSON.parse + JSON.stringify of the review (${fmt(reviewBytes)} bytes)`,
      'ops/s (median of 5 x 1 s)': fmt(floorRate),
      'µs/op': fmt(1e6 / floorRate, 1),
      'time vs floor': '1.00×',
    },
    ...rows.map(([operation, fn]) => {
      const rate = throughput(fn);
      return {
        operation,
        'ops/s (median of 5 x 1 s)': fmt(rate),
        'µs/op': fmt(1e6 / rate, 1),
        'time vs floor': `${fmt(floorRate / rate, 2)}×`,
      };
    }),
  ]);
};
