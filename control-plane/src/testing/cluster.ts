import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { KubeHttp, loadConnection } from '@kubevirt-migration/k8s-adapter';
import { parse } from 'yaml';

import { ensureBinaries } from '../binaries.js';
import { quietLog } from '../log.js';

/** The environment variable through which the global setup hands the kubeconfig to the tests. */
const TEST_KUBECONFIG_ENV = 'KUBEVIRT_MIGRATION_TEST_KUBECONFIG';

/** The kubeconfig of the test run's control plane; fails loudly outside the cluster project. */
export const testKubeconfigPath = (): string => {
  const path = process.env[TEST_KUBECONFIG_ENV];
  if (path === undefined)
    throw new Error(
      process.env['KUBEVIRT_MIGRATION_TEST_CLUSTER_ERROR'] ??
        `${TEST_KUBECONFIG_ENV} is not set: cluster tests run in the jest "cluster" project`,
    );
  return path;
};

export const testKubeConfig = (): KubeConfig => {
  const kc = new KubeConfig();
  kc.loadFromFile(testKubeconfigPath());
  return kc;
};

/** The project's own client of the test run's API server (close it when done). */
export const testKubeHttp = (): KubeHttp => new KubeHttp(loadConnection({ kubeconfig: testKubeconfigPath() }));

/** A fresh namespace per test: there is no controller-manager, so namespaces never finish deleting. */
export const freshNamespace = async (kc: KubeConfig, prefix = 'test'): Promise<string> => {
  const name = `${prefix}-${randomBytes(4).toString('hex')}`;
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  return name;
};

export const customApi = (kc: KubeConfig): CustomObjectsApi => kc.makeApiClient(CustomObjectsApi);

/**
 * Polls `check` until it gives a value (not undefined or false) and returns it; fails naming `what`
 * after `timeoutMs`. A check that throws counts as not yet.
 */
export const until = async <T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 15000,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await Promise.resolve()
      .then(check)
      .catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** The derived KubeVirt CRD that lists maxDowntimeMs (control-plane/crds/SOURCES.md). */
export const KUBEVIRT_CRD_WITH_MAX_DOWNTIME = 'kubevirt-kubevirts.kubevirt.io-v1.7.0-with-maxDowntimeMs.yaml';

const KUBEVIRT_CRD = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  plural: 'customresourcedefinitions',
  name: 'kubevirts.kubevirt.io',
};
const KUBEVIRT_CR = {
  group: 'kubevirt.io',
  version: 'v1',
  plural: 'kubevirts',
  namespace: 'harvester-system',
  name: 'kubevirt',
};

/**
 * Replaces the installed KubeVirt CRD with one of control-plane/crds, and waits until the API server
 * serves its schema (a server-side dry run of maxDowntimeMs is kept, or pruned, as the file says).
 * Returns the function that puts the previous CRD back, waiting the same way.
 */
export const swapKubevirtCrd = async (kc: KubeConfig, repoRoot: string, file: string): Promise<() => Promise<void>> => {
  const custom = customApi(kc);
  const install = async (crd: Record<string, unknown>): Promise<void> => {
    const current = (await custom.getClusterCustomObject(KUBEVIRT_CRD)) as { metadata: { resourceVersion: string } };
    const metadata = {
      ...(crd['metadata'] as Record<string, unknown>),
      resourceVersion: current.metadata.resourceVersion,
    };
    await custom.replaceClusterCustomObject({ ...KUBEVIRT_CRD, body: { ...crd, metadata } });
    const lists = JSON.stringify(crd).includes('"maxDowntimeMs"');
    await until(
      `the API server to serve the KubeVirt CRD of ${file} (maxDowntimeMs ${lists ? 'kept' : 'pruned'})`,
      async () => {
        const dry = (await custom.patchNamespacedCustomObject({
          ...KUBEVIRT_CR,
          dryRun: 'All',
          body: [{ op: 'add', path: '/spec/configuration/migrations', value: { maxDowntimeMs: 1 } }],
        })) as { spec: { configuration: { migrations?: Record<string, unknown> } } };
        return (dry.spec.configuration.migrations?.['maxDowntimeMs'] !== undefined) === lists;
      },
      30000,
    );
  };
  const previous = (await custom.getClusterCustomObject(KUBEVIRT_CRD)) as Record<string, unknown> & {
    metadata: Record<string, unknown>;
  };
  const { name } = previous.metadata;
  const restored = {
    apiVersion: previous['apiVersion'],
    kind: previous['kind'],
    metadata: { name },
    spec: previous['spec'],
  };
  await install(parse(readFileSync(join(repoRoot, 'control-plane', 'crds', file), 'utf8')) as Record<string, unknown>);
  return () => install(restored);
};

type KubeVirtCR = {
  spec: { configuration?: { developerConfiguration?: Record<string, unknown> & { featureGates?: string[] } } };
};

/** The feature gates the KubeVirt CR lists now (none when it has no developerConfiguration). */
export const kubevirtFeatureGates = async (kc: KubeConfig): Promise<readonly string[]> =>
  ((await customApi(kc).getNamespacedCustomObject(KUBEVIRT_CR)) as KubeVirtCR).spec.configuration
    ?.developerConfiguration?.featureGates ?? [];

/**
 * Adds a feature gate to the KubeVirt CR (an earlier test may have left it without a
 * developerConfiguration). Returns the function that puts the developerConfiguration back as it was.
 */
export const addFeatureGate = async (kc: KubeConfig, gate: string): Promise<() => Promise<void>> => {
  const custom = customApi(kc);
  const path = '/spec/configuration/developerConfiguration';
  const dev = ((await custom.getNamespacedCustomObject(KUBEVIRT_CR)) as KubeVirtCR).spec.configuration
    ?.developerConfiguration;
  await custom.patchNamespacedCustomObject({
    ...KUBEVIRT_CR,
    body: [{ op: 'add', path, value: { ...dev, featureGates: [...(dev?.featureGates ?? []), gate] } }],
  });
  return async () => {
    await custom.patchNamespacedCustomObject({
      ...KUBEVIRT_CR,
      body: [dev === undefined ? { op: 'remove', path } : { op: 'replace', path, value: dev }],
    });
  };
};

/**
 * kubectl of the API server's version, built and cached by control-plane/scripts/build-binaries.sh
 * (the tests run it as users do, never whatever kubectl the machine has). The first call may build it.
 */
let kubectl: Promise<string> | undefined;
export const kubectlBinary = (): Promise<string> => {
  kubectl ??= ensureBinaries(join(__dirname, '..', '..', '..'), quietLog, ['kubectl']).then((b) =>
    join(b.dir, 'kubectl'),
  );
  return kubectl;
};
