import { join } from 'node:path';

import { KubeConfig } from '@kubernetes/client-node';
import {
  type ControlPlane,
  crdFiles,
  installCrds,
  quietLog,
  startControlPlane,
} from '@kubevirt-migration/control-plane';
import { customApi, freshNamespace, until } from '@kubevirt-migration/control-plane/testing';

import type { KubeObject } from '../client/client.js';
import { KubeHttp } from '../client/http.js';
import { MIGRATIONS } from '../client/kinds.js';
import { loadConnection } from '../client/kubeconfig.js';
import { InformerCache } from './cache.js';

const vmim = (name: string) => ({
  apiVersion: 'kubevirt.io/v1',
  kind: 'VirtualMachineInstanceMigration',
  metadata: { name },
  spec: { vmiName: name },
});

/** This file restarts its API server, so it runs on a control plane of its own. */
describe('InformerCache', () => {
  let cp: ControlPlane;
  let kc: KubeConfig;
  let http: KubeHttp;
  const whole = (o: KubeObject) => o;
  const repoRoot = join(__dirname, '..', '..', '..', '..');

  beforeAll(async () => {
    cp = await startControlPlane({ repoRoot, log: quietLog });
    kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfig);
    http = new KubeHttp(loadConnection({ kubeconfig: cp.kubeconfig }));
    await installCrds(kc, crdFiles(repoRoot), quietLog);
  }, 120000);

  afterAll(async () => {
    http?.close();
    await cp?.stop();
  });

  it('syncs, then follows changes without listing again', async () => {
    const ns = await freshNamespace(kc);
    await customApi(kc).createNamespacedCustomObject({ ...MIGRATIONS, namespace: ns, body: vmim('before') });
    const cache = new InformerCache(http, MIGRATIONS, { transform: whole });
    await cache.start();
    try {
      expect(cache.synced).toBe(true);
      await until('the watch to connect', () => cache.fresh);
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
    const t0 = Date.now();
    const seen: string[] = [];
    const cache = new InformerCache(http, MIGRATIONS, {
      transform: whole,
      onError: (e, retryInMs) => {
        errors.push(e.kind);
        seen.push(`${Date.now() - t0} ms: ${e.message} (retry in ${retryInMs} ms)`);
      },
    });
    await cache.start();
    try {
      await until('the watch to connect', () => cache.fresh);
      await cp.stopApiserver();
      await until('the cache to notice the outage', () => errors.length > 0);
      expect(cache.fresh).toBe(false);
      expect(cache.staleReason).toMatch(/unreachable|ECONNREFUSED|socket|closed/i);
      await cp.startApiserver();
      const ready = Date.now();
      await until('the cache to be current again', () => cache.fresh, 30000);
      // the API server answers within a second of /readyz; the cache follows it at once
      if (Date.now() - ready >= 2000) console.log(`ready at ${ready - t0} ms; errors:\n${seen.join('\n')}`);
      expect(Date.now() - ready).toBeLessThan(2000);
      await customApi(kc).createNamespacedCustomObject({ ...MIGRATIONS, namespace: ns, body: vmim('during-recovery') });
      await until(
        'the restarted watch to deliver the object',
        () => cache.get('during-recovery', ns) !== undefined,
        30000,
      );
      expect(errors).toContain('Unavailable');
      expect(cache.synced).toBe(true);
    } finally {
      await cache.stop();
    }
  }, 120000);

  it('keeps retrying a start while the API server is down, and syncs once it is back', async () => {
    await cp.stopApiserver();
    const cache = new InformerCache(http, MIGRATIONS, { transform: whole });
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
