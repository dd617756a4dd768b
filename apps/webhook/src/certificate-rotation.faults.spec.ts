import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { KubeConfig } from '@kubernetes/client-node';
import { ManagedProcess, webhookAnswers } from '@kubevirt-migration/control-plane';
import { ChangeTally, type FaultClient, FaultCluster, sleep } from '@kubevirt-migration/control-plane/testing/faults';

/**
 * Certificate rotation under load: the webhook makes and rotates its own certificates in a Secret
 * (as the chart runs it) with lifetimes of seconds instead of years, while the API server calls it
 * without pause. Every serving certificate and the CA are replaced several times; not one call
 * may fail on TLS.
 */
const root = join(__dirname, '..', '..', '..');
const RUN_MS = 60000;
const LIFETIMES = { certificate: 12, ca: 36, overlap: 6 };
let cluster: FaultCluster;
let webhook: ManagedProcess;
let client: FaultClient;
let namespace: string;

beforeAll(async () => {
  cluster = await FaultCluster.start(root);
  client = cluster.client;
  namespace = await client.createNamespace('rotation');
  await client.http.request('create the Secret', 'POST', `/api/v1/namespaces/${namespace}/secrets`, {
    body: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'webhook-tls' },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': '', 'tls.key': '' },
    },
  });
  webhook = cluster.track(
    new ManagedProcess(
      'webhook',
      [
        process.execPath,
        join(root, 'apps', 'webhook', 'dist', 'main.js'),
        `--kubeconfig=${cluster.cp.kubeconfig}`,
        `--tls-secret=${namespace}/webhook-tls`,
        `--certificate-lifetime=${LIFETIMES.certificate}`,
        `--ca-lifetime=${LIFETIMES.ca}`,
        `--ca-overlap=${LIFETIMES.overlap}`,
        '--port=0',
        '--register-url=https://127.0.0.1:{port}/validate',
      ],
      join(cluster.logs.dir, 'webhook.log'),
    ),
  );
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.cp.kubeconfig);
  await webhook.waitReady(() => webhookAnswers(kc), 60000);
}, 180000);

afterAll(() => cluster?.stop());

describe('fault: certificate rotation under load', () => {
  it('serving certificates and the CA are replaced several times; no call of the API server to the webhook fails', async () => {
    const serving = new Set<string>();
    const cas = new Set<string>();
    const end = Date.now() + RUN_MS;
    const watchSecret = async (): Promise<void> => {
      while (Date.now() < end) {
        const secret = (await client.http.request(
          'read the Secret',
          'GET',
          `/api/v1/namespaces/${namespace}/secrets/webhook-tls`,
        )) as {
          data?: Record<string, string>;
        };
        if (secret.data?.['tls.crt'] !== undefined) serving.add(secret.data['tls.crt']);
        if (secret.data?.['signing-ca.crt'] !== undefined) cas.add(secret.data['signing-ca.crt']);
        await sleep(500);
      }
    };
    const tally = new ChangeTally();
    const change = async (): Promise<void> => {
      for (let i = 0; Date.now() < end; i++)
        await client.tryChange(`{"parallelMigrationsPerCluster":${(i % 9) + 1}}`, tally);
    };
    await Promise.all([watchSecret(), change()]);
    console.log(
      `certificate rotation for ${RUN_MS / 1000} s (serving ${LIFETIMES.certificate} s, CA ${LIFETIMES.ca} s, overlap ${LIFETIMES.overlap} s): ${serving.size} serving certificates and ${cas.size} CAs seen in the Secret; changes ${tally}`,
    );
    expect(tally.others).toEqual([]);
    expect(tally.counts.unavailable).toBe(0);
    expect(tally.counts.admitted).toBeGreaterThan(0);
    expect(serving.size).toBeGreaterThanOrEqual(4);
    expect(cas.size).toBeGreaterThanOrEqual(2);
    // every certificate was replaced before it expired
    expect(readFileSync(webhook.logFile, 'utf8')).not.toMatch(/has expired/);
  });
});
