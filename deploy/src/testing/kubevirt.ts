import type { CustomObjectsApi } from '@kubernetes/client-node';

/** `spec.configuration.migrations.parallelMigrationsPerCluster` of the KubeVirt CR the tests install (harvester-system/kubevirt). */
export const parallelMigrationsPerCluster = async (objects: CustomObjectsApi): Promise<number | undefined> => {
  const cr = (await objects.getNamespacedCustomObject({
    group: 'kubevirt.io',
    version: 'v1',
    plural: 'kubevirts',
    namespace: 'harvester-system',
    name: 'kubevirt',
  })) as { spec?: { configuration?: { migrations?: { parallelMigrationsPerCluster?: number } } } };
  return cr.spec?.configuration?.migrations?.parallelMigrationsPerCluster;
};
