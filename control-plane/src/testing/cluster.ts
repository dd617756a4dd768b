import { randomBytes } from 'node:crypto';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { KubeHttp, loadConnection } from '@kubevirt-migration/k8s-adapter';

/** The environment variable through which the global setup hands the kubeconfig to the tests. */
const TEST_KUBECONFIG_ENV = 'KUBEVIRT_MIGRATION_TEST_KUBECONFIG';

/** The kubeconfig of the test run's control plane; fails loudly outside the cluster project. */
export const testKubeconfigPath = (): string => {
  const path = process.env[TEST_KUBECONFIG_ENV];
  if (path === undefined)
    throw new Error(
      process.env['KUBEVIRT_MIGRATION_TEST_CLUSTER_ERROR'] ?? `${TEST_KUBECONFIG_ENV} is not set: cluster tests run in the jest "cluster" project`,
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
export const until = async <T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15000): Promise<T> => {
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
