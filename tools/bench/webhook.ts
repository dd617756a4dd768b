// Admissions per second and latency over TLS on loopback: the real webhook (its bundle, caches
// synced from a local control plane) with 0 and with 10,000 VMIMs cached, side by side with a
// bare node:https server answering a fixed AdmissionReview (the floor).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdmissionregistrationV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { MIGRATIONS } from '@kubevirt-migration/k8s-adapter';
import { seed, startControlPlane, startWebhook, stderrLog } from '@kubevirt-migration/control-plane';
import { fmt, table } from './stats.js';
import { settingObject, TYPICAL_VALUE } from './policy.js';

const SECONDS = 5;
const CONNECTIONS = 16;
const VMIMS = Number(process.env['BENCH_VMIMS'] ?? '10000');

interface Load {
  readonly requests: number;
  readonly errors: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

const load = (root: string, url: string, ca: string, body: string, mode: 'max' | 'rate', n: number): Load => {
  const r = spawnSync(process.execPath, [join(root, '.bench', 'load.js'), url, ca, body, mode, String(n), String(SECONDS)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`load failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Load;
};

const get = (port: number, path: string, ca: string): Promise<string> =>
  new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, ca: readFileSync(ca) }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve(text));
    })
      .on('error', reject)
      .end();
  });

/** Creates `count` finished VMIMs (status through the status subresource), `parallel` at a time. */
const createFinishedMigrations = async (kc: KubeConfig, count: number, parallel = 32): Promise<void> => {
  const api = kc.makeApiClient(CustomObjectsApi);
  const namespace = 'bench';
  await kc.makeApiClient((await import('@kubernetes/client-node')).CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let i = next++; i < count; i = next++) {
        const name = `vm-${i}-migration`;
        await api.createNamespacedCustomObject({
          ...MIGRATIONS,
          namespace,
          body: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceMigration', metadata: { name }, spec: { vmiName: `vm-${i}` } },
        });
        await api.patchNamespacedCustomObjectStatus({
          ...MIGRATIONS,
          namespace,
          name,
          body: [{ op: 'add', path: '/status', value: { phase: 'Succeeded', migrationState: { completed: true } } }],
        });
      }
    }),
  );
};

export const run = async (root: string): Promise<void> => {
  const work = mkdtempSync(join(tmpdir(), 'kubevirt-migration-bench-'));
  const cp = await startControlPlane({ repoRoot: root, log: stderrLog });
  let floor: ReturnType<typeof spawn> | undefined;
  let webhook: Awaited<ReturnType<typeof startWebhook>> | undefined;
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfig);
    await seed(kc, root, stderrLog);
    webhook = await startWebhook(
      root,
      { kubeconfig: cp.kubeconfig, certFile: cp.pki.webhookCert, keyFile: cp.pki.webhookKey, caFile: cp.pki.caCert },
      join(work, 'webhook.log'),
    );
    const config = await kc.makeApiClient(AdmissionregistrationV1Api).readValidatingWebhookConfiguration({ name: 'kubevirt-migration.harvesterhci.io' });
    const url = config.webhooks?.[0]?.clientConfig.url ?? '';
    const port = Number(new URL(url).port);

    floor = spawn(process.execPath, [join(root, '.bench', 'floor.js'), cp.pki.webhookCert, cp.pki.webhookKey], { stdio: ['ignore', 'pipe', 'inherit'] });
    const floorPort = await new Promise<number>((resolve) => floor?.stdout?.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
    const floorUrl = `https://127.0.0.1:${floorPort}/validate`;

    const body = join(work, 'review.json');
    writeFileSync(
      body,
      JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: { uid: 'bench', operation: 'UPDATE', name: 'kubevirt-migration', object: settingObject(TYPICAL_VALUE), oldObject: settingObject(undefined) },
      }),
    );

    const rows: Record<string, string | number>[] = [];
    const measure = (label: string) => {
      const floorMax = load(root, floorUrl, cp.pki.caCert, body, 'max', CONNECTIONS);
      const hookMax = load(root, url, cp.pki.caCert, body, 'max', CONNECTIONS);
      const hookRate = load(root, url, cp.pki.caCert, body, 'rate', 1000);
      rows.push(
        {
          server: `floor (bare node:https)`,
          'VMIMs cached': label,
          load: `${CONNECTIONS} connections, ${SECONDS} s`,
          'req/s': fmt(floorMax.rps),
          'p50 ms': fmt(floorMax.p50, 2),
          'p99 ms': fmt(floorMax.p99, 2),
          errors: floorMax.errors,
        },
        {
          server: 'webhook',
          'VMIMs cached': label,
          load: `${CONNECTIONS} connections, ${SECONDS} s`,
          'req/s': `${fmt(hookMax.rps)} (${fmt((hookMax.rps / floorMax.rps) * 100)}% of floor)`,
          'p50 ms': fmt(hookMax.p50, 2),
          'p99 ms': fmt(hookMax.p99, 2),
          errors: hookMax.errors,
        },
        {
          server: 'webhook',
          'VMIMs cached': label,
          load: `1,000 req/s, ${SECONDS} s`,
          'req/s': fmt(hookRate.rps),
          'p50 ms': fmt(hookRate.p50, 2),
          'p99 ms': fmt(hookRate.p99, 2),
          errors: hookRate.errors,
        },
      );
    };
    measure('0');

    const started = performance.now();
    await createFinishedMigrations(kc, VMIMS);
    const deadline = Date.now() + 120000;
    for (;;) {
      const metrics = await get(port, '/metrics', cp.pki.caCert);
      if (metrics.includes(`kubevirt_migration_webhook_cached_migrations{state="all"} ${VMIMS}`)) break;
      if (Date.now() > deadline) throw new Error('the webhook cache did not reach 10,000 VMIMs');
      await new Promise((r) => setTimeout(r, 500));
    }
    stderrLog(`created ${fmt(VMIMS)} finished VMIMs and the webhook cached them in ${fmt((performance.now() - started) / 1000, 1)} s`);
    measure(fmt(VMIMS));
    const rss = spawnSync('ps', ['-o', 'rss=', '-p', String(webhook.pid)], { encoding: 'utf8' }).stdout.trim();
    table(rows);
    console.log(`\nwebhook RSS with ${fmt(VMIMS)} VMIMs cached: ${fmt(Number(rss) / 1024)} MiB`);
  } finally {
    floor?.kill('SIGTERM');
    await webhook?.stop();
    await cp.stop();
    rmSync(work, { recursive: true, force: true });
  }
};
