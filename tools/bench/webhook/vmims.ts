// Finished VMIMs for the webhooks' caches: the benchmark measures the webhooks again once 10,000
// of them are cached (BENCH_VMIMS; 0 skips that step).
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { cpuMicros } from '@kubevirt-migration/control-plane';
import { MIGRATIONS } from '@kubevirt-migration/k8s-adapter';

import { get } from './servers.js';

export const VMIMS = Number(process.env['BENCH_VMIMS'] ?? '10000');

const createOne = async (api: CustomObjectsApi, namespace: string, i: number): Promise<void> => {
  const name = `vm-${i}-migration`;
  await api.createNamespacedCustomObject({
    ...MIGRATIONS,
    namespace,
    body: {
      apiVersion: 'kubevirt.io/v1',
      kind: 'VirtualMachineInstanceMigration',
      metadata: { name },
      spec: { vmiName: `vm-${i}` },
    },
  });
  await api.patchNamespacedCustomObjectStatus({
    ...MIGRATIONS,
    namespace,
    name,
    body: [{ op: 'add', path: '/status', value: { phase: 'Succeeded', migrationState: { completed: true } } }],
  });
};

/** Creates `count` finished VMIMs (status through the status subresource), 32 at a time. */
export const createFinishedMigrations = async (kc: KubeConfig, count: number): Promise<void> => {
  const api = kc.makeApiClient(CustomObjectsApi);
  const namespace = 'bench';
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) await createOne(api, namespace, i);
  };
  await Promise.all(Array.from({ length: 32 }, worker));
};

/** Waits (at most 3 minutes) until the project's webhook has `count` VMIMs in its cache. */
export const cached = async (metricsUrl: string, ca: string, count: number): Promise<void> => {
  const deadline = Date.now() + 180000;
  while (!(await get(metricsUrl, ca)).includes(`kubevirt_migration_webhook_cached_migrations{state="all"} ${count}`)) {
    if (Date.now() > deadline) throw new Error(`the webhook cache did not reach ${count} VMIMs`);
    await new Promise((r) => setTimeout(r, 500));
  }
};

/**
 * Waits (at most a minute) until the control plane (API server and etcd) spends less than a tenth
 * of a CPU: after 10,000 VMIMs are created it goes on working for a while. Returns the seconds waited.
 */
export const quietControlPlane = async (pids: readonly (number | undefined)[]): Promise<number> => {
  const started = Date.now();
  const spent = (): number => pids.reduce((sum: number, pid) => sum + (pid === undefined ? 0 : cpuMicros(pid)), 0);
  for (;;) {
    const before = spent();
    await new Promise((r) => setTimeout(r, 2000));
    if (spent() - before < 200_000 || Date.now() - started > 60000) return (Date.now() - started) / 1000;
  }
};
