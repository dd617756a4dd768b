import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { quietLog, seed, startControlPlane, startWebhook, type ControlPlane, type ManagedProcess } from '@kubevirt-migration/control-plane';
import { until } from '@kubevirt-migration/control-plane/testing';
import { ChangeTally, FaultClient, faultLogs } from '@kubevirt-migration/control-plane/testing/faults';

/**
 * Fault: the webhook's migrations watch resumes from a resourceVersion that etcd has compacted
 * away. With the API server's watch cache off (--watch-cache=false), a watch goes to etcd itself,
 * which answers 410 Gone; the cache must list again and see what happened while it was away.
 */
const root = join(__dirname, '..', '..', '..');
const logs = faultLogs();
let cp: ControlPlane;
let webhook: ManagedProcess;
let client: FaultClient;

beforeAll(async () => {
  cp = await startControlPlane({ repoRoot: root, log: quietLog, apiserverArgs: ['--watch-cache=false'] });
  const kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfig);
  await seed(kc, root, quietLog);
  client = new FaultClient(cp.kubeconfig);
  webhook = await startWebhook(
    root,
    { kubeconfig: cp.kubeconfig, certFile: cp.pki.webhookCert, keyFile: cp.pki.webhookKey, caFile: cp.pki.caCert },
    join(logs.dir, 'webhook.log'),
  );
}, 180000);

afterAll(async () => {
  await webhook?.stop();
  await cp?.stop();
  logs.remove();
});

/** etcd's v3 JSON gateway. */
const etcd = async (path: string, body: unknown): Promise<Record<string, unknown>> => {
  const response = await fetch(`${cp.etcdUrl}${path}`, { method: 'POST', body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`etcd ${path}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
};

describe('fault: watch expiry through etcd compaction, watch cache off', () => {
  it('a watch resumed from a compacted resourceVersion gets 410 Gone, lists again, and sees the migration it missed', async () => {
    const ns = await client.createNamespace('expiry');
    const pid = webhook.pid ?? 0;
    // the webhook cannot see anything while it is stopped; its watch ends with the API server's restart
    process.kill(pid, 'SIGSTOP');
    let compactedAt: string;
    try {
      await cp.restartApiserver();
      await client.createMigration(ns, 'missed', 'Running');
      for (let i = 0; i < 20; i++) {
        await client.http.request('write history', 'POST', `/api/v1/namespaces/${ns}/configmaps`, {
          body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `filler-${i}` }, data: { i: String(i) } },
        });
      }
      const range = await etcd('/v3/kv/range', { key: Buffer.from('/').toString('base64') });
      compactedAt = String((range['header'] as { revision: string }).revision);
      await etcd('/v3/kv/compaction', { revision: compactedAt, physical: true });
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const resumed = Date.now();
    const tally = new ChangeTally();
    let firstBusy: number | undefined;
    while (Date.now() - resumed < 5000) {
      if ((await client.tryChange(`{"parallelMigrationsPerCluster":${40 + (tally.counts.busy % 5)}}`, tally)) === 'busy') firstBusy ??= Date.now() - resumed;
    }
    await until('the log to show the expiry', () => /migrations cache failed; retrying/.test(readFileSync(webhook.logFile, 'utf8')) || undefined, 5000).catch(
      () => undefined,
    );
    const expiries = readFileSync(webhook.logFile, 'utf8')
      .split('\n')
      .filter((l) => l.includes('migrations cache failed') && /too old|compacted|Expired|410/i.test(l));
    console.log(
      `watch expiry: etcd compacted at revision ${compactedAt} while the webhook was stopped; after it resumed: ${tally}; first "in progress" denial ${firstBusy ?? Number.NaN} ms; 410 answers logged ${expiries.length} (${expiries[0] ?? 'none'})`,
    );
    expect(tally.others).toEqual([]);
    expect(tally.counts.admitted).toBe(0);
    expect(tally.counts.busy).toBeGreaterThan(0);
    expect(expiries.length).toBeGreaterThan(0);
  });
});
