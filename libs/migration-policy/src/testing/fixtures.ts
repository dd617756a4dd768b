import { APPLIED_CONFIG_ANNOTATION, appliedMarker, configMarker } from '../marker.js';
import { HARVESTER_DEFAULT, HASH_ANNOTATION } from '../setting.js';

/** Test helpers: Setting, KubeVirt and VMIM objects as the API server would hold them. */

export const setting = (
  value: string | undefined,
  extra: {
    default?: string;
    annotations?: Record<string, string>;
    name?: string;
    resourceVersion?: string;
    status?: unknown;
  } = {},
) => ({
  apiVersion: 'harvesterhci.io/v1beta1',
  kind: 'Setting',
  metadata: {
    name: extra.name ?? 'kubevirt-migration',
    resourceVersion: extra.resourceVersion ?? '7',
    uid: 'setting-uid',
    ...(extra.annotations ? { annotations: extra.annotations } : {}),
  },
  ...(extra.status === undefined ? {} : { status: extra.status }),
  default: extra.default ?? HARVESTER_DEFAULT,
  ...(value === undefined ? {} : { value }),
});

/** The annotations of a setting whose `value` was applied and brought the CR to `desired`. */
export const markers = (value: string | undefined, desired: Record<string, unknown>): Record<string, string> => ({
  [HASH_ANNOTATION]: appliedMarker({ value, annotations: {} }),
  [APPLIED_CONFIG_ANNOTATION]: configMarker(desired),
});

/** A setting applied already, for exactly what it asks now: a difference on the CR is drift. */
export const applied = (
  value: string,
  desired: Record<string, unknown> = JSON.parse(value) as Record<string, unknown>,
): ReturnType<typeof setting> => setting(value, { annotations: markers(value, desired) });

/** Harvester's own feature gates; none of them enables a gated option. */
export const HARVESTER_GATES: readonly string[] = ['LiveMigration', 'HotplugVolumes'];

export const kubevirt = (
  migrations?: Record<string, unknown>,
  resourceVersion = '42',
  featureGates: readonly string[] = HARVESTER_GATES,
) => ({
  apiVersion: 'kubevirt.io/v1',
  kind: 'KubeVirt',
  metadata: { name: 'kubevirt', namespace: 'harvester-system', resourceVersion },
  spec: {
    certificateRotateStrategy: {},
    configuration: {
      developerConfiguration: { featureGates },
      ...(migrations === undefined ? {} : { migrations }),
    },
    customizeComponents: {},
  },
});

export const vmim = (
  namespace: string,
  name: string,
  status?: Record<string, unknown>,
  deletionTimestamp?: string,
) => ({
  apiVersion: 'kubevirt.io/v1',
  kind: 'VirtualMachineInstanceMigration',
  metadata: { namespace, name, ...(deletionTimestamp ? { deletionTimestamp } : {}) },
  spec: { vmiName: name },
  ...(status ? { status } : {}),
});

/** The options the KubeVirt 1.7.0 CRD lists (test/crd.spec.ts checks this against the real file). */
export const SUPPORTED_170: ReadonlySet<string> = new Set([
  'allowAutoConverge',
  'allowPostCopy',
  'allowWorkloadDisruption',
  'bandwidthPerMigration',
  'completionTimeoutPerGiB',
  'disableTLS',
  'matchSELinuxLevelOnMigration',
  'network',
  'nodeDrainTaintKey',
  'parallelMigrationsPerCluster',
  'parallelOutboundMigrationsPerNode',
  'progressTimeout',
  'unsafeMigrationOverride',
]);

/** The spec fields the KubeVirt 1.7.0 MigrationPolicy CRD lists: no maxDowntimeMs (test/crd.spec.ts checks this against the real file). */
export const POLICY_FIELDS_170: ReadonlySet<string> = new Set([
  'selectors',
  'allowAutoConverge',
  'bandwidthPerMigration',
  'completionTimeoutPerGiB',
  'allowPostCopy',
  'allowWorkloadDisruption',
]);
