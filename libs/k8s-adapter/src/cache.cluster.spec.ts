import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { startControlPlane, quietLog, installCrds, crdFiles, type ControlPlane } from '@kubevirt-migration/control-plane';
import { freshNamespace, customApi, until } from '@kubevirt-migration/control-plane/testing';
import { InformerCache } from './cache.js';
import { MIGRATIONS } from './kinds.js';

const vmim = (name: string) => ({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceMigration', metadata: { name }, spec: { vmiName: name } });

/** This file restarts its API server, so it runs on a control plane of its own. */
describe('InformerCache', () => {
  let cp: ControlPlane;
  let kc: KubeConfig;
  const repoRoot = join(__dirname, '..', '..', '..');

  beforeAll(async () => {
    cp = await startControlPlane({ repoRoot, log: quietLog });
    kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfig);
    await installCrds(kc, crdFiles(repoRoot), quietLog);
  }, 120000);

  afterAll(async () => {
    await cp?.stop();
  });

  it('syncs, then follows changes without listing again', async () => {
    const ns = await freshNamespace(kc);
    await customApi(kc).createNamespacedCustomObject({ ...MIGRATIONS, namespace: ns, body: vmim('before') });
    const cache = new InformerCache(kc, MIGRATIONS);
    await cache.start();
    try {
      expect(cache.synced).toBe(true);
      expect(cache.get('before', ns)).toBeDefined();
      await customApi(kc).createNamespacedCustomObject({ ...MIGRATIONS, namespace: ns, body: vmim('after') });
      await until('the watch to deliver the new object', () => cache.get('after', ns) !== undefined);
    } finally {
      await cache.stop();
    }
  });

  it('survives an API server restart: it restarts itself and sees what changed meanwhile', async () => {
    const ns = await freshNamespace(kc);
    const errors: string[] = [];
    const cache = new InformerCache(kc, MIGRATIONS, { onError: (e) => errors.push(e.kind), initialBackoffMs: 100, maxBackoffMs: 1000 });
    await cache.start();
    try {
      await cp.stopApiserver();
      await until('the cache to notice the outage', () => errors.length > 0);
      await cp.startApiserver();
      await customApi(kc).createNamespacedCustomObject({ ...MIGRATIONS, namespace: ns, body: vmim('during-recovery') });
      await until('the restarted watch to deliver the object', () => cache.get('during-recovery', ns) !== undefined, 30000);
      expect(errors).toContain('Unavailable');
      expect(cache.synced).toBe(true);
    } finally {
      await cache.stop();
    }
  }, 120000);

  it('keeps retrying a start while the API server is down, and syncs once it is back', async () => {
    await cp.stopApiserver();
    const cache = new InformerCache(kc, MIGRATIONS, { initialBackoffMs: 100, maxBackoffMs: 500 });
    const started = cache.start();
    try {
      await until('two failed tries', () => cache.restartCount >= 2);
      expect(cache.synced).toBe(false);
      await cp.startApiserver();
      await started;
      expect(cache.synced).toBe(true);
      expect(cache.restartCount).toBeGreaterThan(0);
    } finally {
      await cache.stop();
    }
  }, 120000);
});
