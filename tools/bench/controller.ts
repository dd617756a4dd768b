// Setting write -> KubeVirt CR patched, over 100 changes on the local control plane, measured by a
// watch on the CR; KubeVirt writes per change (every MODIFIED event of the CR counts); RSS.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomObjectsApi, KubeConfig, Watch } from '@kubernetes/client-node';
import { KUBEVIRTS, SETTINGS } from '@kubevirt-migration/k8s-adapter';
import { seed, startControlPlane, startController, stderrLog } from '@kubevirt-migration/control-plane';
import { fmt, summary, table } from './stats.js';

const CHANGES = 100;

export const run = async (root: string): Promise<void> => {
  const work = mkdtempSync(join(tmpdir(), 'kubevirt-migration-bench-'));
  const cp = await startControlPlane({ repoRoot: root, log: stderrLog });
  let controller: Awaited<ReturnType<typeof startController>> | undefined;
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfig);
    await seed(kc, root, stderrLog);
    controller = await startController(root, cp.kubeconfig, join(work, 'controller.log'));
    const api = kc.makeApiClient(CustomObjectsApi);
    // let the controller apply the seeded default first
    const ready = Date.now() + 30000;
    for (;;) {
      const cr = (await api.getNamespacedCustomObject({ ...KUBEVIRTS, namespace: 'harvester-system', name: 'kubevirt' })) as {
        spec: { configuration?: { migrations?: unknown } };
      };
      if (cr.spec.configuration?.migrations !== undefined) break;
      if (Date.now() > ready) throw new Error('the controller did not apply the seeded default');
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 500));

    let writes = 0;
    let waiter: { value: number; resolve: () => void } | undefined;
    const watch = await new Watch(kc).watch(
      '/apis/kubevirt.io/v1/namespaces/harvester-system/kubevirts',
      {},
      (type: string, obj: { spec?: { configuration?: { migrations?: { parallelMigrationsPerCluster?: number } } } }) => {
        if (type !== 'MODIFIED') return;
        writes++;
        if (waiter !== undefined && obj.spec?.configuration?.migrations?.parallelMigrationsPerCluster === waiter.value) {
          const w = waiter;
          waiter = undefined;
          w.resolve();
        }
      },
      (err: unknown) => {
        if (err !== null && err !== undefined && (err as { name?: string }).name !== 'AbortError') console.error(`watch ended: ${String(err)}`);
      },
    );
    // client-node ends a watch after its request timeout (30 s); the 100 changes take a few seconds
    await new Promise((r) => setTimeout(r, 200));

    const latencies: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      const value = 10 + (i % 50) + (i % 2 === 0 ? 0 : 100);
      const seen = new Promise<void>((resolve) => (waiter = { value, resolve }));
      const started = performance.now();
      await api.patchClusterCustomObject({
        ...SETTINGS,
        name: 'kubevirt-migration',
        body: [{ op: 'add', path: '/value', value: `{"parallelMigrationsPerCluster":${value},"bandwidthPerMigration":"64Mi"}` }],
      });
      await Promise.race([seen, new Promise((_, reject) => setTimeout(() => reject(new Error(`change ${i} not applied within 10 s`)), 10000))]);
      latencies.push(performance.now() - started);
      // one change at a time: wait until the pass has recorded the marker, as a person saving the
      // setting twice would (back-to-back writes race the marker write and cost a re-plan each)
      const text = `{"parallelMigrationsPerCluster":${value},"bandwidthPerMigration":"64Mi"}`;
      for (let tries = 0; tries < 200; tries++) {
        const s = (await api.getClusterCustomObject({ ...SETTINGS, name: 'kubevirt-migration' })) as { metadata: { annotations?: Record<string, string> } };
        if (s.metadata.annotations?.['harvesterhci.io/hash'] === createHash('sha224').update(text).digest('hex')) break;
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    await new Promise((r) => setTimeout(r, 1000));
    const perChange = writes / CHANGES;
    watch.abort();
    const rss = Number(spawnSync('ps', ['-o', 'rss=', '-p', String(controller.pid)], { encoding: 'utf8' }).stdout.trim()) / 1024;
    const metrics = await (await fetch(`http://127.0.0.1:${controller.probePort}/metrics`)).text();
    const conflicts = Number(/kubevirt_migration_controller_reconciles_total\{outcome="Conflict"\} (\d+)/.exec(metrics)?.[1] ?? '0');
    const s = summary(latencies);
    table([
      {
        changes: CHANGES,
        'median ms': fmt(s.median, 1),
        'p99 ms': fmt(s.p99, 1),
        'max ms': fmt(s.max, 1),
        'KubeVirt writes per change': fmt(perChange, 2),
        conflicts: conflicts,
        'controller RSS MiB': fmt(rss),
        'target median < 100 ms, 1 write': s.median < 100 && perChange === 1 ? 'met' : 'MISSED',
      },
    ]);
  } catch (e) {
    console.error(`controller log:\n${spawnSync('tail', ['-20', join(work, 'controller.log')], { encoding: 'utf8' }).stdout}`);
    throw e;
  } finally {
    await controller?.stop();
    await cp.stop();
    rmSync(work, { recursive: true, force: true });
  }
};
