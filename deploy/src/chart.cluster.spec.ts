import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdmissionregistrationV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { freePort, ManagedProcess, webhookAnswers } from '@kubevirt-migration/control-plane';
import { customApi, freshNamespace, testKubeConfig, testKubeconfigPath, testKubeHttp, until } from '@kubevirt-migration/control-plane/testing';
import { fromClientNode, type KubeHttp } from '@kubevirt-migration/k8s-adapter';
import { chartDir, helm, optionalFeatureCrds, parseManifests, repoRoot, type Manifest } from './testing/helm.js';

/** Where each kind the chart renders lives in the API (for the dry runs). */
const RESOURCES: Record<string, { readonly path: string; readonly namespaced: boolean }> = {
  ServiceAccount: { path: '/api/v1', namespaced: true },
  Secret: { path: '/api/v1', namespaced: true },
  Service: { path: '/api/v1', namespaced: true },
  Deployment: { path: '/apis/apps/v1', namespaced: true },
  PodDisruptionBudget: { path: '/apis/policy/v1', namespaced: true },
  NetworkPolicy: { path: '/apis/networking.k8s.io/v1', namespaced: true },
  ClusterRole: { path: '/apis/rbac.authorization.k8s.io/v1', namespaced: false },
  ClusterRoleBinding: { path: '/apis/rbac.authorization.k8s.io/v1', namespaced: false },
  Role: { path: '/apis/rbac.authorization.k8s.io/v1', namespaced: true },
  RoleBinding: { path: '/apis/rbac.authorization.k8s.io/v1', namespaced: true },
  ValidatingWebhookConfiguration: { path: '/apis/admissionregistration.k8s.io/v1', namespaced: false },
  ValidatingAdmissionPolicy: { path: '/apis/admissionregistration.k8s.io/v1', namespaced: false },
  ValidatingAdmissionPolicyBinding: { path: '/apis/admissionregistration.k8s.io/v1', namespaced: false },
  Issuer: { path: '/apis/cert-manager.io/v1', namespaced: true },
  Certificate: { path: '/apis/cert-manager.io/v1', namespaced: true },
  ServiceMonitor: { path: '/apis/monitoring.coreos.com/v1', namespaced: true },
  PrometheusRule: { path: '/apis/monitoring.coreos.com/v1', namespaced: true },
};
const plural = (kind: string) => (kind.endsWith('y') ? `${kind.slice(0, -1)}ies` : `${kind}s`).toLowerCase();
const collection = (m: Manifest) => {
  const r = RESOURCES[m.kind];
  if (r === undefined) throw new Error(`the chart renders a ${m.kind}, which this test does not know`);
  return `${r.path}${r.namespaced ? `/namespaces/${m.metadata.namespace ?? 'default'}` : ''}/${plural(m.kind)}`;
};

const EVERY_OPTION = {
  image: { digest: `sha256:${'ab'.repeat(32)}`, pullPolicy: 'Always' },
  imagePullSecrets: [{ name: 'registry' }],
  logLevel: 'debug',
  controller: {
    replicas: 3,
    extraArgs: ['--resync=60'],
    extraEnv: [{ name: 'EXTRA', value: '1' }],
    podAnnotations: { 'example.com/a': 'b' },
    podLabels: { team: 'virt' },
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }],
    affinity: {
      nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'a', operator: 'Exists' }] } }] },
    },
    topologySpreadConstraints: [
      { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { a: 'b' } } },
    ],
    priorityClassName: 'system-cluster-critical',
  },
  webhook: {
    certificates: { mode: 'cert-manager' },
    priorityClassName: 'system-cluster-critical',
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    extraArgs: ['--request-timeout=5'],
  },
  serviceMonitor: { enabled: true, labels: { release: 'prometheus' } },
  prometheusRule: { enabled: true, labels: { release: 'prometheus' } },
  networkPolicy: {
    enabled: true,
    webhookIngressFrom: [{ ipBlock: { cidr: '10.0.0.0/8' } }],
    metricsIngressFrom: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
  },
};

const valuesFile = (values: object): string => {
  const file = join(mkdtempSync(join(tmpdir(), 'kubevirt-migration-values-')), 'values.yaml');
  writeFileSync(file, stringify(values));
  return file;
};

describe('the Helm chart (deploy/kubevirt-migration)', () => {
  const kc = testKubeConfig();
  let http: KubeHttp;
  beforeAll(() => (http = testKubeHttp()));
  afterAll(() => http.close());

  it('passes helm lint --strict, with its defaults and with every option on', async () => {
    await expect(helm(['lint', '--strict', chartDir])).resolves.toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    await expect(helm(['lint', '--strict', chartDir, '-f', valuesFile(EVERY_OPTION)])).resolves.toMatch(/0 chart\(s\) failed/);
  });

  it('refuses values outside its schema, naming them', async () => {
    await expect(helm(['template', 'x', chartDir, '--set', 'webhook.replicas=-1'])).rejects.toThrow(/webhook\/replicas.*minimum/);
    await expect(helm(['template', 'x', chartDir, '--set', 'webhook.certificates.mode=openssl'])).rejects.toThrow(/webhook\/certificates\/mode/);
    await expect(helm(['template', 'x', chartDir, '--set', 'controler.replicas=1'])).rejects.toThrow(/additional properties 'controler' not allowed/);
  });

  it.each([
    ['its defaults', {}],
    ['every option on', EVERY_OPTION],
  ])('renders, with %s, only objects the API server accepts (server-side dry run, strict field validation)', async (_, values) => {
    const namespace = await freshNamespace(kc, 'chart');
    // the kinds of the optional features, as cert-manager and the Prometheus operator publish them
    for (const crd of await optionalFeatureCrds()) {
      await http
        .request(`create CRD ${crd.metadata.name}`, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: crd })
        .catch((e: unknown) => {
          if (!/already exists/.test(String(e))) throw e;
        });
      await until(`CRD ${crd.metadata.name} to be established`, async () => {
        const got = (await http.request('read CRD', 'GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`)) as {
          status?: { conditions?: { type: string; status: string }[] };
        };
        return got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
      });
    }
    const rendered = parseManifests(await helm(['template', 'kvm', chartDir, '--namespace', namespace, '-f', valuesFile(values)]));
    expect(rendered.length).toBeGreaterThan(10);
    const refused: string[] = [];
    for (const m of rendered) {
      await http
        .request(`dry-run create ${m.kind} ${m.metadata.name}`, 'POST', collection(m), { body: m, query: { dryRun: 'All', fieldValidation: 'Strict' } })
        .catch((e: unknown) => refused.push(fromClientNode(e, `${m.kind} ${m.metadata.name}`).message));
    }
    expect(refused).toEqual([]);
  });

  it('grants least privilege: no wildcard, no CRD, names wherever RBAC can name', async () => {
    const rendered = parseManifests(await helm(['template', 'kvm', chartDir, '--namespace', 'kvm']));
    expect(rendered.filter((m) => m.kind === 'CustomResourceDefinition')).toEqual([]);
    const rules = rendered
      .filter((m) => m.kind === 'ClusterRole' || m.kind === 'Role')
      .flatMap((m) => (m['rules'] as { verbs: string[]; resources: string[]; resourceNames?: string[] }[]).map((r) => ({ role: m.metadata.name, ...r })));
    expect(JSON.stringify(rules)).not.toContain('"*"');
    // only these may go without resourceNames: RBAC cannot name what does not exist yet (create), nor filter a collection of many
    const unnamed = rules.filter((r) => r.resourceNames === undefined).map((r) => `${r.resources.join(',')}:${r.verbs.join(',')}`);
    expect(unnamed.sort()).toEqual([
      'events:create,patch',
      'leases:create',
      'validatingwebhookconfigurations:create',
      'virtualmachineinstancemigrations:list,watch',
    ]);
  });
});

/** The Setting and the CR as seeded (other test files start from there): what this file's controllers wrote is undone. */
const restoreSeededState = async (kc: KubeConfig): Promise<void> => {
  const objects = customApi(kc);
  const setting = { group: 'harvesterhci.io', version: 'v1beta1', plural: 'settings', name: 'kubevirt-migration' };
  const s = (await objects.getClusterCustomObject(setting)) as { value?: string; status?: unknown; metadata: { annotations?: Record<string, string> } };
  const ops: object[] = [];
  if (s.value !== undefined) ops.push({ op: 'remove', path: '/value' });
  if (s.status !== undefined) ops.push({ op: 'remove', path: '/status' });
  for (const key of Object.keys(s.metadata.annotations ?? {}))
    if (key === 'harvesterhci.io/hash' || key.startsWith('kubevirt-migration.harvesterhci.io/'))
      ops.push({ op: 'remove', path: `/metadata/annotations/${key.replace(/~/g, '~0').replace(/\//g, '~1')}` });
  if (ops.length > 0) await objects.patchClusterCustomObject({ ...setting, body: ops });
  const crRef = { group: 'kubevirt.io', version: 'v1', plural: 'kubevirts', namespace: 'harvester-system', name: 'kubevirt' };
  const cr = (await objects.getNamespacedCustomObject(crRef)) as { spec?: { configuration?: { migrations?: unknown } } };
  if (cr.spec?.configuration?.migrations !== undefined)
    await objects.patchNamespacedCustomObject({ ...crRef, body: [{ op: 'remove', path: '/spec/configuration/migrations' }] });
};

/** A client acting as a service account, with a token from the TokenRequest API. */
const asIdentity = (admin: KubeConfig, token: string): KubeConfig => {
  const cluster = admin.getCurrentCluster();
  if (cluster === null) throw new Error('no cluster in the kubeconfig');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: 'sa', token }],
    contexts: [{ name: 'sa', cluster: cluster.name, user: 'sa' }],
    currentContext: 'sa',
  });
  return kc;
};

const refusal = async (call: () => Promise<unknown>): Promise<string> => {
  try {
    await call();
    return 'allowed';
  } catch (e) {
    const err = fromClientNode(e, 'call');
    return err.kind === 'Forbidden'
      ? 'forbidden'
      : err.kind === 'Invalid' || /denied/.test(err.message)
        ? `denied: ${err.message}`
        : `${err.kind}: ${err.message}`;
  }
};

describe('helm install into the API server, the apps running under the identities it grants', () => {
  const release = 'kvm';
  let kc: KubeConfig;
  let namespace: string;
  let port: number;
  let saRoot: string;
  const processes: ManagedProcess[] = [];
  let tokens: Record<'controller' | 'webhook', string>;
  const admin = () => kc.makeApiClient(CoreV1Api);

  /** The container of a Deployment the chart installed, as `helm get manifest` shows it. */
  const container = async (component: 'controller' | 'webhook') => {
    const manifests = parseManifests(await helm(['get', 'manifest', release, '--namespace', namespace], testKubeconfigPath()));
    const d = manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === `${release}-kubevirt-migration-${component}`);
    const spec = (d?.['spec'] as { template: { spec: { containers: { args: string[]; env: { name: string; value?: string }[] }[] } } } | undefined)?.template
      .spec;
    const c = spec?.containers[0];
    if (c === undefined) throw new Error(`no ${component} Deployment in the release`);
    return c;
  };

  /**
   * Runs an app as its pod would: the in-cluster environment (service account files with a
   * TokenRequest token, KUBERNETES_SERVICE_HOST/PORT), the chart's arguments and environment; only
   * the listening addresses are kept on loopback.
   */
  const runAsPod = async (component: 'controller' | 'webhook', replica: number): Promise<ManagedProcess> => {
    const c = await container(component);
    const server = new URL(kc.getCurrentCluster()?.server ?? '');
    const dir = join(saRoot, `${component}-${replica}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'token'), tokens[component]);
    writeFileSync(join(dir, 'ca.crt'), Buffer.from(kc.getCurrentCluster()?.caData ?? '', 'base64'));
    writeFileSync(join(dir, 'namespace'), namespace);
    const probePort = await freePort();
    const args = c.args.slice(1).map((a) =>
      a
        .replace('--listen-address=0.0.0.0', '--listen-address=127.0.0.1')
        .replace('--probe-address=0.0.0.0', '--probe-address=127.0.0.1')
        .replace(/^--probe-port=\d+$/, `--probe-port=${probePort}`),
    );
    const env: NodeJS.ProcessEnv = {
      PATH: process.env['PATH'] ?? '',
      HOME: dir,
      KUBERNETES_SERVICE_HOST: server.hostname,
      KUBERNETES_SERVICE_PORT: server.port,
      KUBEVIRT_MIGRATION_SERVICE_ACCOUNT_DIR: dir,
      POD_NAMESPACE: namespace,
      ...Object.fromEntries(c.env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value])),
    };
    const program = join(repoRoot, 'apps', component, 'dist', 'main.js');
    const p = new ManagedProcess(`${component}-${replica}`, process.execPath, [program, ...args], join(saRoot, `${component}-${replica}.log`), { env });
    processes.push(p);
    if (component === 'controller') await p.waitReady(async () => (await fetch(`http://127.0.0.1:${probePort}/readyz`)).ok, 30000);
    return p;
  };

  beforeAll(async () => {
    kc = testKubeConfig();
    namespace = await freshNamespace(kc, 'release');
    port = await freePort();
    saRoot = mkdtempSync(join(tmpdir(), 'kubevirt-migration-pods-'));
    // no kubelet here to route a Service: the registration names the webhook by URL on loopback
    // (the Service form is checked by the dry runs above and by the keeper's specs)
    await helm(
      [
        'install',
        release,
        chartDir,
        '--namespace',
        namespace,
        '--set-string',
        `webhook.url=https://127.0.0.1:${port}/validate`,
        '--set',
        `webhook.port=${port}`,
      ],
      testKubeconfigPath(),
    );
    const token = async (sa: string) =>
      (await admin().createNamespacedServiceAccountToken({ name: sa, namespace, body: { spec: { audiences: [], expirationSeconds: 3600 } } })).status?.token ??
      '';
    tokens = { controller: await token(`${release}-kubevirt-migration-controller`), webhook: await token(`${release}-kubevirt-migration-webhook`) };
  }, 120000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await helm(['uninstall', release, '--namespace', namespace], testKubeconfigPath()).catch(() => undefined);
    await kc
      .makeApiClient(AdmissionregistrationV1Api)
      .deleteValidatingWebhookConfiguration({ name: 'kubevirt-migration.harvesterhci.io' })
      .catch(() => undefined);
    await restoreSeededState(kc);
  });

  it('the webhook makes its certificate in the chart’s Secret and the API server calls it through the chart’s registration', async () => {
    await runAsPod('webhook', 0);
    await until('the API server to reach the webhook', () => webhookAnswers(kc), 30000);
    const secret = await admin().readNamespacedSecret({ name: `${release}-kubevirt-migration-webhook-tls`, namespace });
    const registration = await kc.makeApiClient(AdmissionregistrationV1Api).readValidatingWebhookConfiguration({ name: 'kubevirt-migration.harvesterhci.io' });
    expect(registration.webhooks?.[0]?.clientConfig.caBundle).toBe(secret.data?.['ca.crt']);
    expect(registration.metadata?.labels?.['app.kubernetes.io/managed-by']).toBe('Helm');
  });

  it('two controller replicas apply a Setting change to the KubeVirt CR, with no Forbidden on the way', async () => {
    await Promise.all([runAsPod('controller', 0), runAsPod('controller', 1)]);
    const objects = customApi(kc);
    await objects.patchClusterCustomObject({
      group: 'harvesterhci.io',
      version: 'v1beta1',
      plural: 'settings',
      name: 'kubevirt-migration',
      body: [{ op: 'add', path: '/value', value: '{"parallelMigrationsPerCluster":7}' }],
    });
    await until(
      'the CR to carry the change',
      async () => {
        const cr = (await objects.getNamespacedCustomObject({
          group: 'kubevirt.io',
          version: 'v1',
          plural: 'kubevirts',
          namespace: 'harvester-system',
          name: 'kubevirt',
        })) as {
          spec?: { configuration?: { migrations?: { parallelMigrationsPerCluster?: number } } };
        };
        return cr.spec?.configuration?.migrations?.parallelMigrationsPerCluster === 7;
      },
      20000,
    );
    const logs = processes.map((p) => readFileSync(p.logFile, 'utf8')).join('\n');
    expect(logs).not.toMatch(/forbidden/i);
    await objects.patchClusterCustomObject({
      group: 'harvesterhci.io',
      version: 'v1beta1',
      plural: 'settings',
      name: 'kubevirt-migration',
      body: [{ op: 'remove', path: '/value' }],
    });
  });

  it('the identities are refused what they must not do', async () => {
    const controller = asIdentity(kc, tokens.controller);
    const webhook = asIdentity(kc, tokens.webhook);
    const setting = (name: string) => ({
      group: 'harvesterhci.io',
      version: 'v1beta1',
      plural: 'settings',
      name,
      body: [{ op: 'add', path: '/value', value: 'x' }],
    });
    const cr = {
      group: 'kubevirt.io',
      version: 'v1',
      plural: 'kubevirts',
      namespace: 'harvester-system',
      name: 'kubevirt',
      body: [{ op: 'add', path: '/metadata/labels', value: { x: 'y' } }],
    };
    const results = {
      'controller patches another Setting': await refusal(() => customApi(controller).patchClusterCustomObject(setting('backup-target'))),
      'controller reads Secrets in kube-system': await refusal(() => controller.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: 'kube-system' })),
      'controller reads the webhook’s Secret': await refusal(() =>
        controller.makeApiClient(CoreV1Api).readNamespacedSecret({ namespace, name: `${release}-kubevirt-migration-webhook-tls` }),
      ),
      'webhook patches the KubeVirt CR': await refusal(() => customApi(webhook).patchNamespacedCustomObject(cr)),
      'webhook patches the Setting': await refusal(() => customApi(webhook).patchClusterCustomObject(setting('kubevirt-migration'))),
      'webhook reads Secrets of another namespace': await refusal(() => webhook.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: 'kube-system' })),
      'webhook reads another Secret of its namespace': await refusal(() => webhook.makeApiClient(CoreV1Api).readNamespacedSecret({ namespace, name: 'other' })),
      'webhook registers another webhook': await refusal(() =>
        webhook.makeApiClient(AdmissionregistrationV1Api).createValidatingWebhookConfiguration({
          body: {
            metadata: { name: 'intercept.example.com' },
            webhooks: [
              {
                name: 'intercept.example.com',
                admissionReviewVersions: ['v1'],
                sideEffects: 'None',
                clientConfig: { url: 'https://127.0.0.1:1/x' },
                rules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['secrets'], operations: ['CREATE'] }],
              },
            ],
          },
        }),
      ),
    };
    expect(results).toEqual({
      'controller patches another Setting': 'forbidden',
      'controller reads Secrets in kube-system': 'forbidden',
      'controller reads the webhook’s Secret': 'forbidden',
      'webhook patches the KubeVirt CR': 'forbidden',
      'webhook patches the Setting': 'forbidden',
      'webhook reads Secrets of another namespace': 'forbidden',
      'webhook reads another Secret of its namespace': 'forbidden',
      'webhook registers another webhook': expect.stringMatching(/may only keep its own registration/) as unknown,
    });
  });

  it('a deleted registration comes back (with Helm’s ownership), and helm upgrade keeps the CA', async () => {
    const api = kc.makeApiClient(AdmissionregistrationV1Api);
    const ca = (await admin().readNamespacedSecret({ name: `${release}-kubevirt-migration-webhook-tls`, namespace })).data?.['ca.crt'];
    await api.deleteValidatingWebhookConfiguration({ name: 'kubevirt-migration.harvesterhci.io' });
    await until('the webhook to register itself again', () => webhookAnswers(kc), 20000);
    const back = await api.readValidatingWebhookConfiguration({ name: 'kubevirt-migration.harvesterhci.io' });
    expect(back.metadata?.annotations?.['meta.helm.sh/release-name']).toBe(release);
    await helm(['upgrade', release, chartDir, '--namespace', namespace, '--reuse-values', '--set', 'logLevel=debug'], testKubeconfigPath());
    expect((await admin().readNamespacedSecret({ name: `${release}-kubevirt-migration-webhook-tls`, namespace })).data?.['ca.crt']).toBe(ca);
    await until(
      'the registration to carry the CA after the upgrade',
      async () => (await api.readValidatingWebhookConfiguration({ name: 'kubevirt-migration.harvesterhci.io' })).webhooks?.[0]?.clientConfig.caBundle === ca,
    );
    expect(await webhookAnswers(kc)).toBe(true);
  });

  it('helm uninstall, then the pods stopping: no registration is left behind to block the Setting', async () => {
    await helm(['uninstall', release, '--namespace', namespace], testKubeconfigPath());
    // the uninstall deletes the registration first: the running webhook must not bring it back
    await new Promise((r) => setTimeout(r, 5000));
    // then, as the kubelet would once the Deployments are gone, the pods stop
    await Promise.all(processes.map((p) => p.stop()));
    const api = kc.makeApiClient(AdmissionregistrationV1Api);
    await expect(api.readValidatingWebhookConfiguration({ name: 'kubevirt-migration.harvesterhci.io' })).rejects.toThrow(/404|not found/i);
  });
});
