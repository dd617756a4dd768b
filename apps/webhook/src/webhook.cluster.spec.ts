import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { connect } from 'node:tls';

import { AdmissionregistrationV1Api } from '@kubernetes/client-node';
import { type ManagedProcess, startWebhook, webhookAnswers } from '@kubevirt-migration/control-plane';
import {
  addFeatureGate,
  customApi,
  freshNamespace,
  kubectlBinary,
  KUBEVIRT_CRD_WITH_MAX_DOWNTIME,
  kubevirtFeatureGates,
  swapKubevirtCrd,
  testKubeConfig,
  testKubeconfigPath,
  until,
} from '@kubevirt-migration/control-plane/testing';
import { type AdapterError, fromClientNode, MIGRATIONS, SETTINGS } from '@kubevirt-migration/k8s-adapter';
import { HARVESTER_DEFAULT } from '@kubevirt-migration/migration-policy';

/** The webhook as the API server calls it, and as a hostile client would. */
const root = join(__dirname, '..', '..', '..');
const kc = testKubeConfig();
const custom = customApi(kc);
const pki = join(dirname(testKubeconfigPath()), 'pki');
const files = {
  kubeconfig: testKubeconfigPath(),
  certFile: join(pki, 'webhook.crt'),
  keyFile: join(pki, 'webhook.key'),
  caFile: join(pki, 'ca.crt'),
};
const logs = mkdtempSync(join(tmpdir(), 'kubevirt-migration-webhook-test-'));
const NAME = 'kubevirt-migration.harvesterhci.io';
const setting = { ...SETTINGS, name: 'kubevirt-migration' };

let webhook: ManagedProcess;
let port = 0;
/** kubectl of the API server's version (built on first use): warnings as users see them. */
let kubectl = '';
beforeAll(
  async () => {
    kubectl = await kubectlBinary();
  },
  20 * 60 * 1000,
);
/** Sets the Setting's value with kubectl (a merge patch), as an administrator would. */
const kubectlSetValue = (value: string) =>
  spawnSync(
    kubectl,
    ['patch', 'settings.harvesterhci.io', 'kubevirt-migration', '--type', 'merge', '-p', JSON.stringify({ value })],
    {
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '', KUBECONFIG: testKubeconfigPath(), HOME: logs },
    },
  );

const readSetting = async () =>
  (await custom.getClusterCustomObject(setting)) as Record<string, unknown> & { metadata: Record<string, unknown> };
const patch = (ops: object[]) => custom.patchClusterCustomObject({ ...setting, body: ops });
const setValue = (value: string) => patch([{ op: 'add', path: '/value', value }]);
const denial = async (p: Promise<unknown>): Promise<AdapterError> => {
  try {
    await p;
  } catch (e) {
    return fromClientNode(e, 'write');
  }
  throw new Error('expected the API server to deny the write');
};
const runningMigration = async (name = 'vm-running') => {
  const ns = await freshNamespace(kc, 'mig');
  await custom.createNamespacedCustomObject({
    ...MIGRATIONS,
    namespace: ns,
    body: {
      apiVersion: 'kubevirt.io/v1',
      kind: 'VirtualMachineInstanceMigration',
      metadata: { name },
      spec: { vmiName: name },
    },
  });
  await custom.patchNamespacedCustomObjectStatus({
    ...MIGRATIONS,
    namespace: ns,
    name,
    body: [{ op: 'add', path: '/status', value: { phase: 'Running' } }],
  });
  const finish = () =>
    custom.patchNamespacedCustomObjectStatus({
      ...MIGRATIONS,
      namespace: ns,
      name,
      body: [{ op: 'replace', path: '/status/phase', value: 'Succeeded' }],
    });
  return { ns, finish };
};

beforeAll(async () => {
  webhook = await startWebhook(root, files, join(logs, 'webhook.log'), { args: ['--request-timeout=2'] });
  const config = await kc.makeApiClient(AdmissionregistrationV1Api).readValidatingWebhookConfiguration({ name: NAME });
  port = Number(new URL(config.webhooks?.[0]?.clientConfig.url ?? '').port);
}, 90000);

afterAll(async () => {
  await webhook?.stop();
  rmSync(logs, { recursive: true, force: true });
  if ((await readSetting())['value'] !== undefined) await patch([{ op: 'remove', path: '/value' }]);
});

afterEach(async () => {
  if (webhook.running && (await readSetting())['value'] !== undefined) await patch([{ op: 'remove', path: '/value' }]);
});

describe('the webhook through the API server: HEP test plan', () => {
  it('(1) a wrong schema is rejected, with every cause', async () => {
    const e = await denial(setValue('{"parallelMigrationPerCluster":5,"progressTimeout":"150"}'));
    expect(e.status).toBe(422);
    expect(e.message).toContain(`admission webhook "${NAME}" denied the request`);
    expect(e.message).toContain(
      'value.parallelMigrationPerCluster: Unsupported value: "parallelMigrationPerCluster": unknown option; did you mean "parallelMigrationsPerCluster"?',
    );
    expect(e.message).toContain('value.progressTimeout: Invalid value: "150": must be an integer');
  });

  it('(2) a change to nodeDrainTaintKey is rejected', async () => {
    const e = await denial(setValue('{"nodeDrainTaintKey":"example.com/drain"}'));
    expect(e.message).toContain('value.nodeDrainTaintKey: Forbidden');
  });

  it('(3) a change to network is rejected', async () => {
    const e = await denial(setValue('{"network":"migration-net"}'));
    expect(e.message).toContain('value.network: Forbidden');
  });

  it('(4) any change is rejected while a VM migration is in progress, and the message names it', async () => {
    const { ns, finish } = await runningMigration();
    try {
      const e = await denial(setValue('{"parallelMigrationsPerCluster":3}'));
      expect(e.status).toBe(400);
      expect(e.message).toContain(`cannot be changed while a migration is in progress: ${ns}/vm-running (Running)`);
    } finally {
      await finish();
    }
  });

  it('(5) a real change is accepted', async () => {
    await setValue('{"parallelMigrationsPerCluster":3}');
    expect((await readSetting())['value']).toBe('{"parallelMigrationsPerCluster":3}');
  });
});

describe('the webhook through the API server: what a migration does not block', () => {
  it('labels, annotations, status and a reformatted value are accepted while a migration runs', async () => {
    await setValue('{"parallelMigrationsPerCluster":3,"bandwidthPerMigration":"1Gi"}');
    const { finish } = await runningMigration('vm-busy');
    try {
      await patch([{ op: 'add', path: '/metadata/labels', value: { team: 'infra' } }]);
      await patch([{ op: 'add', path: '/metadata/annotations', value: { note: 'reviewed' } }]);
      await patch([{ op: 'add', path: '/status', value: { conditions: [{ type: 'configured', status: 'True' }] } }]);
      await patch([
        {
          op: 'replace',
          path: '/value',
          value: '{ "bandwidthPerMigration": "1024Mi", "parallelMigrationsPerCluster": 3 }',
        },
      ]);
      const s = await readSetting();
      expect(s.metadata['labels']).toEqual({ team: 'infra' });
      expect(s['value']).toBe('{ "bandwidthPerMigration": "1024Mi", "parallelMigrationsPerCluster": 3 }');
    } finally {
      await finish();
      await patch([
        { op: 'remove', path: '/metadata/labels' },
        { op: 'remove', path: '/metadata/annotations' },
        { op: 'remove', path: '/status' },
      ]);
    }
  });

  it('a migration that has finished blocks nothing (the cache follows its status)', async () => {
    const { finish } = await runningMigration('vm-done');
    await finish();
    await until('the webhook cache to see the migration finish', async () => {
      try {
        await patch([{ op: 'add', path: '/value', value: '{"progressTimeout":60}' }]);
        return true;
      } catch {
        return false;
      }
    });
  });

  it('warnings reach kubectl', () => {
    const r = kubectlSetValue('{"progressTimeout":5,"allowPostCopy":true,"allowWorkloadDisruption":false}');
    expect(r.status).toBe(0);
    expect(r.stderr).toContain("Warning: progressTimeout is 5, below 10 seconds (the Harvester UI's minimum)");
    expect(r.stderr).toContain('Warning: allowPostCopy is true but allowWorkloadDisruption is false');
  });

  it('an option that the installed 1.7.0 CRD would prune is rejected', async () => {
    const e = await denial(setValue('{"maxDowntimeMs":300}'));
    expect(e.message).toContain(
      'value.maxDowntimeMs: Unsupported value: "maxDowntimeMs": the installed KubeVirt CRD does not list this option',
    );
  });

  it('a broken default is rejected too', async () => {
    const e = await denial(patch([{ op: 'replace', path: '/default', value: '{"progressTimeout":-1}' }]));
    expect(e.message).toContain('default.progressTimeout: Invalid value: -1: must not be negative');
    expect((await readSetting())['default']).toBe(HARVESTER_DEFAULT);
  });
});

describe('the webhook through the API server: what KubeVirt and Harvester will do with a value', () => {
  it('{"progressTimeout":0} is accepted with a warning; -1, 5.0, 1e3 and an escaped quantity are refused naming the field', async () => {
    const r = kubectlSetValue('{"progressTimeout":0}');
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('Warning: progressTimeout is 0, which turns the progress timeout off');
    for (const [value, field] of [
      ['{"progressTimeout":-1}', 'value.progressTimeout'],
      ['{"parallelMigrationsPerCluster":5.0}', 'value.parallelMigrationsPerCluster'],
      ['{"completionTimeoutPerGiB":1e3}', 'value.completionTimeoutPerGiB'],
      ['{"bandwidthPerMigration":"\\u0031Gi"}', 'value.bandwidthPerMigration'],
    ] as const) {
      const e = await denial(setValue(value));
      expect([value, e.status, e.message]).toEqual([value, 422, expect.stringContaining(`${field}: Invalid value`)]);
    }
  });
});

describe('the webhook through the API server: feature gates, with a KubeVirt CRD that lists maxDowntimeMs', () => {
  let restoreCrd: (() => Promise<void>) | undefined;
  let removeGate: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    restoreCrd = await swapKubevirtCrd(kc, root, KUBEVIRT_CRD_WITH_MAX_DOWNTIME);
  }, 60000);

  afterAll(async () => {
    await removeGate?.();
    await restoreCrd?.();
  }, 60000);

  it('the CR without the gate: a Setting with maxDowntimeMs is refused naming MigrationStallDetection; the gate added: accepted', async () => {
    expect(await kubevirtFeatureGates(kc)).not.toContain('MigrationStallDetection');
    // the webhook follows the CRD: the option is now supported, and only the gate is missing
    const e = await until('the webhook to see the CRD list maxDowntimeMs', async () => {
      const denied = await denial(setValue('{"maxDowntimeMs":500}'));
      return denied.message.includes('feature gate') ? denied : undefined;
    });
    expect(e.status).toBe(422);
    expect(e.message).toContain(
      'value.maxDowntimeMs: Forbidden: maxDowntimeMs needs the feature gate MigrationStallDetection or MigrationDowntimeTuning',
    );
    removeGate = await addFeatureGate(kc, 'MigrationStallDetection');
    await until('the webhook to see the gate and accept maxDowntimeMs', async () => {
      await setValue('{"maxDowntimeMs":500}');
      return true;
    });
    expect((await readSetting())['value']).toBe('{"maxDowntimeMs":500}');
  });
});

type Reply = { status: number; body: string };
const post = (
  body: string | Buffer,
  headers: Record<string, string> = { 'content-type': 'application/json' },
  method = 'POST',
  path = '/validate',
): Promise<Reply> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, ca: readFileSync(files.caFile) }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
/** A body sent in chunks without a Content-Length, so the limit is found while reading. */
const postChunked = (count: number, chunk: Buffer): Promise<Reply> =>
  new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/validate',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        ca: readFileSync(files.caFile),
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    for (let i = 0; i < count; i++) req.write(chunk);
    req.end();
  });
const review = (request: object) =>
  JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request });

describe('the webhook over HTTPS: hostile and broken input', () => {
  it('answers a well-formed review, echoing its uid', async () => {
    const r = await post(
      review({
        uid: 'u-1',
        operation: 'CREATE',
        name: 'kubevirt-migration',
        object: { metadata: { name: 'kubevirt-migration' }, value: '{"parallelMigrationsPerCluster":0}' },
      }),
    );
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: 'u-1', allowed: false, status: { code: 422 } },
    });
  });

  it.each<[string, () => Promise<Reply>, number, RegExp]>([
    ['a body that is not JSON', () => post('{not json'), 400, /the body is not JSON/],
    [
      'JSON that is not an AdmissionReview',
      () => post('{"kind":"Pod"}'),
      400,
      /not an AdmissionReview v1: expected kind AdmissionReview/,
    ],
    [
      'an AdmissionReview without a request',
      () => post('{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}'),
      400,
      /has no request/,
    ],
    ['a review without a uid', () => post(review({ operation: 'CREATE' })), 400, /request.uid is missing/],
    [
      'a v1beta1 review',
      () => post('{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"x"}}'),
      400,
      /admissionReviewVersions: \[v1\]/,
    ],
    [
      'a wrong content type',
      () => post('{}', { 'content-type': 'text/plain' }),
      415,
      /content type must be application\/json/,
    ],
    ['a GET', () => post('', {}, 'GET'), 405, /use POST/],
    ['a body over the limit', () => post(Buffer.alloc(4 * 1024 * 1024, 32)), 413, /over the limit/],
    [
      'a chunked body over the limit (no Content-Length)',
      () => postChunked(64, Buffer.alloc(64 * 1024, 32)),
      413,
      /over the limit of 3145728 bytes/,
    ],
    [
      'an unknown path',
      () => post('{}', { 'content-type': 'application/json' }, 'POST', '/mutate'),
      404,
      /no such path/,
    ],
  ])('%s gets a clear 4xx', async (_name, send, status, message) => {
    const r = await send();
    expect(r.status).toBe(status);
    expect(JSON.parse(r.body).error).toMatch(message);
  });

  it('a slow client gets 408 and the server keeps serving', async () => {
    const socket = connect({ host: '127.0.0.1', port, ca: readFileSync(files.caFile), servername: 'localhost' });
    await new Promise<void>((resolve) => socket.once('secureConnect', () => resolve()));
    socket.write(
      'POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"kind":',
    );
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1.1 408/);
    expect((await post(review({ uid: 'after', operation: 'DELETE' }))).status).toBe(200);
  });

  it('serves /healthz, /readyz and /metrics with admissions by result', async () => {
    expect((await post('', {}, 'GET', '/healthz')).status).toBe(200);
    expect((await post('', {}, 'GET', '/readyz')).status).toBe(200);
    const metrics = await post('', {}, 'GET', '/metrics');
    expect(metrics.body).toMatch(/kubevirt_migration_webhook_admissions_total\{result="denied"\} [1-9]/);
    expect(metrics.body).toMatch(/kubevirt_migration_webhook_admissions_total\{result="rejected"\} [1-9]/);
    expect(metrics.body).toContain('kubevirt_migration_webhook_admission_duration_seconds_bucket');
    expect(metrics.body).toMatch(/kubevirt_migration_admission_denials_total\{reason="Invalid"\} [1-9]/);
  });
});

describe('registration', () => {
  it('other settings never depend on the webhook; the kubevirt-migration Setting fails closed', async () => {
    webhook.kill('SIGKILL');
    await until('the webhook to stop answering', async () => !(await webhookAnswers(kc)));
    await custom.createClusterCustomObject({
      ...SETTINGS,
      body: {
        apiVersion: 'harvesterhci.io/v1beta1',
        kind: 'Setting',
        metadata: { name: `other-${Date.now()}` },
        value: 'anything',
      },
    });
    const e = await denial(setValue('{"parallelMigrationsPerCluster":3}'));
    expect(e.message).toMatch(/failed calling webhook "kubevirt-migration.harvesterhci.io"/);
    webhook = await startWebhook(root, files, join(logs, 'webhook-2.log'));
  }, 90000);

  it('a stopped webhook removes its registration', async () => {
    await webhook.stop();
    const api = kc.makeApiClient(AdmissionregistrationV1Api);
    const names = (await api.listValidatingWebhookConfiguration()).items.map((c) => c.metadata?.name);
    expect(names).not.toContain(NAME);
    await setValue('{"parallelMigrationsPerCluster":0}');
  });
});
