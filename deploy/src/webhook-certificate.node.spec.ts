import { X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';

import { until } from '@kubevirt-migration/control-plane/testing';

import { dueServingCertificate } from './testing/due-certificate.js';
import {
  clearValue,
  kubectlJson,
  kubectlOk,
  PREPARE_KUBECTL_MS,
  prepareKubectl,
  removeKubectlHome,
  setValue,
} from './testing/kubectl.js';
import { NAMESPACE, WEBHOOK } from './testing/release-pods.js';

/**
 * The webhook's certificates, self-managed (the chart's default): one Secret shared by both
 * replicas, served as it changes, without a restart.
 */
const SECRET = 'kubevirt-migration-webhook-tls';

beforeAll(prepareKubectl, PREPARE_KUBECTL_MS);
afterAll(removeKubectlHome);

interface Served {
  readonly fingerprint: string;
  readonly serial: string;
  readonly authorized: boolean;
}

/** The serving certificate a pod presents on its port, reached from the node over the bridge, checked with the registration's CA bundle. */
const presented = (ip: string): Promise<Served> =>
  new Promise((resolve, reject) => {
    const config = kubectlJson<{ webhooks: { clientConfig: { caBundle: string } }[] }>([
      'get',
      'validatingwebhookconfigurations',
      WEBHOOK,
    ]);
    const ca = Buffer.from(config.webhooks[0]?.clientConfig.caBundle ?? '', 'base64');
    const socket = connect(
      { host: ip, port: 9443, ca, servername: 'kubevirt-migration-webhook.kubevirt-migration.svc', timeout: 5000 },
      () => {
        const peer = socket.getPeerCertificate();
        resolve({ fingerprint: peer.fingerprint256, serial: peer.serialNumber, authorized: socket.authorized });
        socket.end();
      },
    );
    socket.on('error', reject);
    socket.on('timeout', () => socket.destroy(new Error(`no TLS answer from ${ip}:9443`)));
  });

interface WebhookPod {
  readonly metadata: { readonly uid: string };
  readonly status: {
    readonly podIP: string;
    readonly containerStatuses?: readonly { readonly restartCount: number }[];
  };
}
const webhookPods = (): WebhookPod[] =>
  kubectlJson<{ items: WebhookPod[] }>(['-n', NAMESPACE, 'get', 'pods', '-l', 'app.kubernetes.io/component=webhook'])
    .items;
const identities = (pods: readonly WebhookPod[]): string[] =>
  pods.map((p) => `${p.metadata.uid} restarts ${p.status.containerStatuses?.[0]?.restartCount}`).sort();

const secretData = (): Record<string, string> => {
  const data = kubectlJson<{ data: Record<string, string> }>(['-n', NAMESPACE, 'get', 'secret', SECRET]).data;
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
};
const fingerprintOf = (pem: string): string => new X509Certificate(pem).fingerprint256;

describe('the webhook’s certificate (self-managed, the chart’s default)', () => {
  it('is one certificate, shared by both replicas, that the registration’s CA bundle verifies', async () => {
    const ips = webhookPods().map((p) => p.status.podIP);
    expect(ips).toHaveLength(2);
    const seen = await Promise.all(ips.map(presented));
    expect(seen.every((s) => s.authorized)).toBe(true);
    expect(new Set(seen.map((s) => s.fingerprint)).size).toBe(1);
    expect(seen[0]?.fingerprint).toBe(fingerprintOf(secretData()['tls.crt'] ?? ''));
  });

  it('is renewed when due, and the new one served by both replicas without a restart, admissions going on', async () => {
    const pods = webhookPods();
    const before = identities(pods);
    const ips = pods.map((p) => p.status.podIP);
    const old = await presented(ips[0] ?? '');
    const data = secretData();
    // a serving certificate from the same CA that has lived 300 of its 360 days: due (renewed with a third left)
    const due = dueServingCertificate(
      { cert: data['signing-ca.crt'] ?? '', key: data['signing-ca.key'] ?? '' },
      data['tls.crt'] ?? '',
    );
    const b64 = (t: string): string => Buffer.from(t, 'utf8').toString('base64');
    kubectlOk([
      '-n',
      NAMESPACE,
      'patch',
      'secret',
      SECRET,
      '--type',
      'merge',
      '-p',
      JSON.stringify({ data: { 'tls.crt': b64(due.cert), 'tls.key': b64(due.key) } }),
    ]);
    // changes go on being admitted while the replicas switch: one per poll
    const refused: string[] = [];
    let change = 0;
    const renewed = await until(
      'a renewed certificate in the Secret, served by both replicas',
      async () => {
        const r = setValue(JSON.stringify({ parallelMigrationsPerCluster: (change++ % 5) + 2 }));
        if (r.status !== 0) refused.push(r.stderr);
        const inSecret = fingerprintOf(secretData()['tls.crt'] ?? '');
        if (inSecret === fingerprintOf(due.cert) || inSecret === old.fingerprint) return undefined;
        const seen = await Promise.all(ips.map(presented));
        return seen.every((s) => s.fingerprint === inSecret) ? seen : undefined;
      },
      30000,
    );
    expect(refused).toEqual([]);
    expect(change).toBeGreaterThan(0);
    expect(renewed.every((s) => s.authorized && s.serial !== old.serial)).toBe(true);
    expect(identities(webhookPods())).toEqual(before);
    // through the Service: the webhook's own denial, and a change admitted
    const denied = setValue('{"parallelMigrationPerCluster":5}');
    expect(denied.stderr).toContain('did you mean "parallelMigrationsPerCluster"?');
    expect(setValue('{"parallelMigrationsPerCluster":6}').status).toBe(0);
    clearValue();
  });
});
