import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { attempt, CRDS, isKind, KUBEVIRTS, SETTINGS } from '@kubevirt-migration/k8s-adapter';
import {
  HARVESTER_DEFAULT,
  KUBEVIRT_NAME,
  KUBEVIRT_NAMESPACE,
  SETTING_NAME,
} from '@kubevirt-migration/migration-policy';
import { errorMessage } from '@kubevirt-migration/service';
import { parse } from 'yaml';

import { type Log, seconds } from './log.js';

const crdFile = (repoRoot: string, name: string): string => join(repoRoot, 'control-plane', 'crds', name);

/** The KubeVirt CRD the control plane installs (KubeVirt 1.7.0's, verbatim). */
export const kubevirtCrdFile = (repoRoot: string): string =>
  crdFile(repoRoot, 'kubevirt-kubevirts.kubevirt.io-v1.7.0.yaml');

/** The CRD files (control-plane/crds, sources in its SOURCES.md): Harvester's and KubeVirt's, and the project's own VMIM and VMI CRDs. */
export const crdFiles = (repoRoot: string): readonly string[] => [
  crdFile(repoRoot, 'harvester-settings.harvesterhci.io.yaml'),
  kubevirtCrdFile(repoRoot),
  crdFile(repoRoot, 'virtualmachineinstancemigrations.kubevirt.io.yaml'),
  crdFile(repoRoot, 'migrationpolicies.migrations.kubevirt.io-v1.7.0.yaml'),
  crdFile(repoRoot, 'virtualmachineinstances.kubevirt.io.yaml'),
];

const ignoreExists = async (what: string, call: () => Promise<unknown>): Promise<void> => {
  try {
    await attempt(what, call);
  } catch (e) {
    if (!isKind(e, 'AlreadyExists')) throw e;
  }
};

const established = (crd: unknown): boolean => {
  const conditions =
    (crd as { status?: { conditions?: { type?: string; status?: string }[] } }).status?.conditions ?? [];
  return conditions.some((c) => c.type === 'Established' && c.status === 'True');
};

/** Installs the CRDs (created as they are: the KubeVirt one is too large for client-side apply) and waits until Established. */
export const installCrds = async (kc: KubeConfig, files: readonly string[], log: Log): Promise<void> => {
  // The generic object API sends the YAML as it is; client-node's typed CRD model would drop
  // fields such as x-kubernetes-int-or-string.
  const api = kc.makeApiClient(CustomObjectsApi);
  const names: string[] = [];
  for (const file of files) {
    let crd: { metadata?: { name?: string } };
    try {
      crd = parse(readFileSync(file, 'utf8')) as { metadata?: { name?: string } };
    } catch (e) {
      throw new Error(`CRD file ${file}: ${errorMessage(e)}`);
    }
    const name = crd.metadata?.name ?? file;
    names.push(name);
    await ignoreExists(`create CRD ${name}`, () => api.createClusterCustomObject({ ...CRDS, body: crd }));
  }
  const deadline = performance.now() + 60000;
  for (const name of names) {
    while (!established(await attempt(`read CRD ${name}`, () => api.getClusterCustomObject({ ...CRDS, name })))) {
      if (performance.now() > deadline) throw new Error(`CRD ${name} not Established after 60 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  log(`CRDs established: ${names.join(', ')}`);
};

/** The KubeVirt CR the control plane is seeded with. */
interface KubeVirtSeed {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly spec: {
    readonly certificateRotateStrategy: unknown;
    readonly configuration: Readonly<Record<string, unknown>>;
    readonly customizeComponents: unknown;
    readonly imagePullPolicy: string;
    readonly workloadUpdateStrategy: unknown;
  };
}

/** A realistic harvester-system/kubevirt, as Harvester installs it: no migrations block. */
export const seedKubeVirt = (): KubeVirtSeed => ({
  apiVersion: 'kubevirt.io/v1',
  kind: 'KubeVirt',
  metadata: { name: KUBEVIRT_NAME, namespace: KUBEVIRT_NAMESPACE },
  spec: {
    certificateRotateStrategy: { selfSigned: { ca: { duration: '168h', renewBefore: '24h' } } },
    configuration: {
      developerConfiguration: {
        featureGates: ['LiveMigration', 'HotplugVolumes', 'HostDevices', 'GPU', 'CPUManager', 'VMPersistentState'],
      },
      emulatedMachines: ['q35', 'pc-q35*'],
      network: {
        defaultNetworkInterface: 'bridge',
        permitBridgeInterfaceOnPodNetwork: true,
        permitSlirpInterface: true,
      },
      vmStateStorageClass: 'vmstate-persistence',
    },
    customizeComponents: {},
    imagePullPolicy: 'IfNotPresent',
    workloadUpdateStrategy: { workloadUpdateMethods: ['LiveMigrate'] },
  },
});

/** The Setting as Harvester creates it: Harvester's default text, no value. */
const seedSetting = () => ({
  apiVersion: 'harvesterhci.io/v1beta1',
  kind: 'Setting',
  metadata: { name: SETTING_NAME },
  default: HARVESTER_DEFAULT,
});

/** CRDs, the namespace harvester-system, the KubeVirt CR and the Setting; existing objects are kept. */
export const seed = async (kc: KubeConfig, repoRoot: string, log: Log): Promise<void> => {
  const started = performance.now();
  await installCrds(kc, crdFiles(repoRoot), log);
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  await ignoreExists(`create namespace ${KUBEVIRT_NAMESPACE}`, () =>
    core.createNamespace({ body: { metadata: { name: KUBEVIRT_NAMESPACE } } }),
  );
  await ignoreExists('create KubeVirt', () =>
    custom.createNamespacedCustomObject({ ...KUBEVIRTS, namespace: KUBEVIRT_NAMESPACE, body: seedKubeVirt() }),
  );
  await ignoreExists('create Setting', () => custom.createClusterCustomObject({ ...SETTINGS, body: seedSetting() }));
  log(
    `seeded namespace ${KUBEVIRT_NAMESPACE}, KubeVirt ${KUBEVIRT_NAMESPACE}/${KUBEVIRT_NAME} and Setting ${SETTING_NAME} in ${seconds(started)}`,
  );
};
