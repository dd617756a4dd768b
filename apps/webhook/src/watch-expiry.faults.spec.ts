import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ManagedProcess } from '@kubevirt-migration/control-plane';
import { until } from '@kubevirt-migration/control-plane/testing';
import { ChangeTally, FaultCluster } from '@kubevirt-migration/control-plane/testing/faults';

/**
 * Fault: the webhook's migrations watch resumes from a resourceVersion that etcd has compacted
 * away. With the API server's watch cache off (--watch-cache=false), a watch goes to etcd itself,
 * which answers 410 Gone; the cache must list again and see what happened while it was away.
 */
const root = join(__dirname, '..', '..', '..');
let cluster: FaultCluster;
let webhook: ManagedProcess;

beforeAll(async () => {
  cluster = await FaultCluster.start(root, ['--watch-cache=false']);
  webhook = await cluster.webhook();
}, 180000);

afterAll(() => cluster?.stop());

/** etcd's v3 JSON gateway. */
const etcd = async (path: string, body: unknown): Promise<Record<string, unknown>> => {
  const response = await fetch(`${cluster.cp.etcdUrl}${path}`, { method: 'POST', body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`etcd ${path}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
};

describe('fault: watch expiry through etcd compaction, watch cache off', () => {
  it('a watch resumed from a compacted resourceVersion gets 410 Gone, lists again, and sees the migration it missed', async () => {
    const ns = await cluster.client.createNamespace('expiry');
    const pid = webhook.pid ?? 0;
    // the webhook cannot see anything while it is stopped; its watch ends with the API server's restart
    process.kill(pid, 'SIGSTOP');
    let compactedAt: string;
    try {
      await cluster.cp.restartApiserver();
      await cluster.client.createMigration(ns, 'missed', 'Running');
      for (let i = 0; i < 20; i++) {
        await cluster.client.http.request('write history', 'POST', `/api/v1/namespaces/${ns}/configmaps`, {
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
      if (
        (await cluster.client.tryChange(`{"parallelMigrationsPerCluster":${40 + (tally.counts.busy % 5)}}`, tally)) ===
        'busy'
      )
        firstBusy ??= Date.now() - resumed;
    }
    await until(
      'the log to show the expiry',
      () => /migrations cache failed; retrying/.test(readFileSync(webhook.logFile, 'utf8')) || undefined,
      5000,
    ).catch(() => undefined);
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
