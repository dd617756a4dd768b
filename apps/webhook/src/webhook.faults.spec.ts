import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { MIGRATIONS, SETTINGS, toAdapterError } from '@kubevirt-migration/k8s-adapter';
import { quietLog, seed, startControlPlane, startWebhook, type ControlPlane, type ManagedProcess } from '@kubevirt-migration/control-plane';
import { freshNamespace } from '@kubevirt-migration/control-plane/testing';

/**
 * Fault: the API server is killed and started again on the same port while migrations run. The
 * HEP rule (no change of the setting while a migration is in progress) must hold throughout:
 * a Running migration is created the moment /readyz answers, and changes are attempted in a tight
 * loop; not one may be admitted.
 */
const root = join(__dirname, '..', '..', '..');
const logs = mkdtempSync(join(tmpdir(), 'kubevirt-migration-faults-'));
let cp: ControlPlane;
let webhook: ManagedProcess;
let custom: CustomObjectsApi;

beforeAll(async () => {
  cp = await startControlPlane({ repoRoot: root, log: quietLog });
  const kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfig);
  custom = kc.makeApiClient(CustomObjectsApi);
  await seed(kc, root, quietLog);
  webhook = await startWebhook(
    root,
    { kubeconfig: cp.kubeconfig, certFile: cp.pki.webhookCert, keyFile: cp.pki.webhookKey, caFile: cp.pki.caCert },
    join(logs, 'webhook.log'),
  );
}, 180000);

afterAll(async () => {
  await webhook?.stop();
  await cp?.stop();
  if (process.env['KEEP_FAULT_LOGS'] === undefined) rmSync(logs, { recursive: true, force: true });
  else console.log(`logs kept in ${logs}`);
});

const setValue = (value: string) => custom.patchClusterCustomObject({ ...SETTINGS, name: 'kubevirt-migration', body: [{ op: 'add', path: '/value', value }] });

describe('fault: API server killed and restarted on the same port', () => {
  it('admits no change while a migration is in progress, from the first answer after the restart', async () => {
    await setValue('{"parallelMigrationsPerCluster":2}');
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfig);
    const ns = await freshNamespace(kc, 'fault');
    const results = { admitted: 0, busy: 0, unknown: 0, unavailable: 0, other: [] as string[] };
    const rounds = 3;
    const firstBusyMs: number[] = [];
    for (let round = 0; round < rounds; round++) {
      await cp.stopApiserver();
      await new Promise((r) => setTimeout(r, 3000));
      await cp.startApiserver();
      const ready = Date.now();
      const name = `vm-${round}`;
      await custom.createNamespacedCustomObject({
        ...MIGRATIONS,
        namespace: ns,
        body: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceMigration', metadata: { name }, spec: { vmiName: name } },
      });
      await custom.patchNamespacedCustomObjectStatus({
        ...MIGRATIONS,
        namespace: ns,
        name,
        body: [{ op: 'add', path: '/status', value: { phase: 'Running' } }],
      });
      let first: number | undefined;
      for (let i = 0; Date.now() - ready < 10000; i++) {
        try {
          await setValue(`{"parallelMigrationsPerCluster":${3 + (i % 5)}}`);
          results.admitted++;
        } catch (e) {
          const error = toAdapterError(e, 'change');
          if (error.status === 400 && /migration is in progress|migrations are in progress/.test(error.message)) {
            results.busy++;
            first ??= Date.now() - ready;
          } else if (/it is not known whether a migration is in progress/.test(error.message)) results.unknown++;
          else if (error.kind === 'Unavailable' || /failed calling webhook/.test(error.message)) results.unavailable++;
          else results.other.push(error.message);
        }
      }
      firstBusyMs.push(first ?? Number.NaN);
      await custom.patchNamespacedCustomObjectStatus({
        ...MIGRATIONS,
        namespace: ns,
        name,
        body: [{ op: 'replace', path: '/status/phase', value: 'Succeeded' }],
      });
    }
    console.log(
      `API server restart x${rounds}: changes admitted during a migration ${results.admitted}; denied "in progress" ${results.busy}; denied "not known" (cache not current) ${results.unknown}; API server or webhook unavailable ${results.unavailable}; first "in progress" denial after /readyz ${firstBusyMs.map((ms) => `${ms} ms`).join(', ')}`,
    );
    expect(results.other).toEqual([]);
    expect(results.admitted).toBe(0);
    expect(results.busy).toBeGreaterThan(0);
  });
});

describe('fault: the webhook killed and started again', () => {
  it('while it is down every change is refused (failurePolicy Fail); once it is back, changes are decided again', async () => {
    webhook.kill('SIGKILL');
    let refused = 0;
    let admitted = 0;
    for (let i = 0; i < 20; i++) {
      try {
        await setValue(`{"parallelMigrationsPerCluster":${20 + i}}`);
        admitted++;
      } catch (e) {
        if (/failed calling webhook/.test(toAdapterError(e, 'change').message)) refused++;
        else throw e;
      }
    }
    const restarted = Date.now();
    webhook = await startWebhook(
      root,
      { kubeconfig: cp.kubeconfig, certFile: cp.pki.webhookCert, keyFile: cp.pki.webhookKey, caFile: cp.pki.caCert },
      join(logs, 'webhook-2.log'),
    );
    const back = Date.now() - restarted;
    await setValue('{"parallelMigrationsPerCluster":7}');
    console.log(`webhook killed: ${admitted} of 20 changes admitted while it was down, ${refused} refused; answering again ${back} ms after its start`);
    expect(admitted).toBe(0);
    expect(refused).toBe(20);
  });
});
