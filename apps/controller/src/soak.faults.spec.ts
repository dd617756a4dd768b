import { join } from 'node:path';

import { type ManagedProcess, rssMiB } from '@kubevirt-migration/control-plane';
import { until } from '@kubevirt-migration/control-plane/testing';
import { ChangeTally, type FaultClient, FaultCluster, sleep } from '@kubevirt-migration/control-plane/testing/faults';

/**
 * Soak: the webhook and the controller (with the chart's heap settings) under steady work (a
 * Setting change every second, a migration started and finished every two seconds, the CR edited
 * behind the controller's back every five), their resident memory sampled every 10 s: five minutes
 * of warm-up, then ten of soak, at the end of which memory must be within 10% of its value after
 * the warm-up. Measured: after one minute the memory of both still grows in steps for three to five
 * minutes (V8's heap sizing, malloc arenas), then stays flat. KUBEVIRT_MIGRATION_WARM_UP_SECONDS and
 * KUBEVIRT_MIGRATION_SOAK_SECONDS change the two parts.
 */
const root = join(__dirname, '..', '..', '..');
const WARM_UP_MS = Number(process.env['KUBEVIRT_MIGRATION_WARM_UP_SECONDS'] ?? 300) * 1000;
const SOAK_MS = WARM_UP_MS + Number(process.env['KUBEVIRT_MIGRATION_SOAK_SECONDS'] ?? 600) * 1000;
const SAMPLE_MS = 10000;
let cluster: FaultCluster;
let webhook: ManagedProcess;
let controller: ManagedProcess & { readonly probePort: number };
let client: FaultClient;

beforeAll(async () => {
  cluster = await FaultCluster.start(root);
  client = cluster.client;
  // as the chart runs them: its NODE_OPTIONS and MALLOC_ARENA_MAX
  webhook = await cluster.webhook('webhook.log', cluster.chartEnv('webhook'));
  controller = await cluster.controller('controller.log', [], cluster.chartEnv('controller'));
}, 180000);

afterAll(() => cluster?.stop());

const errorsOf = async (): Promise<number> => {
  const text = await (await fetch(`http://127.0.0.1:${controller.probePort}/metrics`)).text();
  return Number(/^kubevirt_migration_controller_reconcile_errors_total (\d+)/m.exec(text)?.[1] ?? 0);
};

describe('soak', () => {
  it(
    'five minutes of warm-up and ten of soak: memory within 10% of its value after warm-up, every change applied, no failed pass',
    async () => {
      const ns = await client.createNamespace('soak');
      const start = Date.now();
      const end = start + SOAK_MS;
      const samples: { at: number; webhook: number; controller: number }[] = [];
      const tally = new ChangeTally();
      let lastAdmitted: number | undefined;
      let migrations = 0;
      let edits = 0;
      const changes = async (): Promise<void> => {
        for (let i = 0; Date.now() < end; i++) {
          const value = 1 + (i % 50);
          if (
            (await client.tryChange(
              `{"parallelMigrationsPerCluster":${value},"progressTimeout":${100 + (i % 7)}}`,
              tally,
            )) === 'admitted'
          )
            lastAdmitted = value;
          await sleep(1000);
        }
      };
      const churn = async (): Promise<void> => {
        for (let i = 0; Date.now() < end; i++) {
          await client.createMigration(ns, `soak-${i}`, 'Running');
          await sleep(500);
          await client.setPhase(ns, `soak-${i}`, 'Succeeded');
          await client.deleteMigration(ns, `soak-${i}`);
          migrations++;
          await sleep(1500);
        }
      };
      const drift = async (): Promise<void> => {
        while (Date.now() < end) {
          await sleep(5000);
          await client.http.request(
            'edit the CR',
            'PATCH',
            '/apis/kubevirt.io/v1/namespaces/harvester-system/kubevirts/kubevirt',
            {
              body: { spec: { configuration: { migrations: { allowAutoConverge: true } } } },
              contentType: 'application/merge-patch+json',
            },
          );
          edits++;
        }
      };
      const sample = async (): Promise<void> => {
        while (Date.now() < end) {
          samples.push({
            at: Date.now() - start,
            webhook: rssMiB(webhook.pid ?? 0),
            controller: rssMiB(controller.pid ?? 0),
          });
          await sleep(SAMPLE_MS);
        }
        samples.push({
          at: Date.now() - start,
          webhook: rssMiB(webhook.pid ?? 0),
          controller: rssMiB(controller.pid ?? 0),
        });
      };
      await Promise.all([changes(), churn(), drift(), sample()]);
      await until(
        'the CR to hold the last admitted value',
        async () => (await client.migrationsBlock())?.['parallelMigrationsPerCluster'] === lastAdmitted || undefined,
        15000,
      );

      const warm = samples.find((s) => s.at >= WARM_UP_MS) ?? samples[0];
      const oneMinute = samples.find((s) => s.at >= 60000) ?? samples[0];
      const last = samples[samples.length - 1];
      if (warm === undefined || oneMinute === undefined || last === undefined) throw new Error('no samples');
      const growth = (k: 'webhook' | 'controller', from = warm) => ((last[k] - from[k]) / from[k]) * 100;
      const peak = (k: 'webhook' | 'controller') => Math.max(...samples.map((s) => s[k]));
      console.log(
        [
          `soak: ${WARM_UP_MS / 1000} s of warm-up and ${(SOAK_MS - WARM_UP_MS) / 1000} s of soak: changes ${tally}; ${migrations} migrations started and finished; ${edits} edits of the CR behind the controller`,
          `webhook RSS ${warm.webhook.toFixed(1)} MiB after warm-up -> ${last.webhook.toFixed(1)} MiB at the end (${growth('webhook').toFixed(1)}%; from the first minute ${growth('webhook', oneMinute).toFixed(1)}%; peak ${peak('webhook').toFixed(1)})`,
          `controller RSS ${warm.controller.toFixed(1)} MiB after warm-up -> ${last.controller.toFixed(1)} MiB at the end (${growth('controller').toFixed(1)}%; from the first minute ${growth('controller', oneMinute).toFixed(1)}%; peak ${peak('controller').toFixed(1)})`,
          `samples (s: webhook/controller MiB): ${samples.map((s) => `${Math.round(s.at / 1000)}: ${s.webhook.toFixed(0)}/${s.controller.toFixed(0)}`).join(', ')}`,
        ].join('\n'),
      );
      expect(tally.others).toEqual([]);
      expect(tally.counts.admitted).toBeGreaterThan(0);
      expect(await errorsOf()).toBe(0);
      expect(growth('webhook')).toBeLessThanOrEqual(10);
      expect(growth('controller')).toBeLessThanOrEqual(10);
    },
    SOAK_MS + 120000,
  );
});
