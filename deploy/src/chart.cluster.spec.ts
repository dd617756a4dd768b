import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import { freshNamespace, testKubeConfig, testKubeHttp } from '@kubevirt-migration/control-plane/testing';
import { fromClientNode, isAdapterError, type KubeHttp } from '@kubevirt-migration/k8s-adapter';

import { chartDir, helm, installOptionalFeatureCrds, type Manifest, parseManifests } from './testing/helm.js';

/** Where each kind the chart renders lives in the API (for the dry runs). */
const RESOURCES: Record<string, { readonly path: string; readonly namespaced: boolean }> = {
  ServiceAccount: { path: '/api/v1', namespaced: true },
  Secret: { path: '/api/v1', namespaced: true },
  Service: { path: '/api/v1', namespaced: true },
  Deployment: { path: '/apis/apps/v1', namespaced: true },
  Pod: { path: '/api/v1', namespaced: true },
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

/** The values files of `ci/` (chart-testing installs the chart once with each); every test below renders each. */
const CI_VALUES = readdirSync(join(chartDir, 'ci'))
  .filter((f) => f.endsWith('-values.yaml'))
  .sort();
const ciFile = (name: string): string => join(chartDir, 'ci', name);

/** The longest release name Helm accepts. */
const LONGEST_RELEASE = 'harvester-live-migration-with-a-very-long-release-nam';

/** Renders that the schema allows and that once made objects the API server refuses or a drain cannot pass. */
const EDGES: readonly { readonly name: string; readonly release: string; readonly args: readonly string[] }[] = [
  { name: 'webhook.replicas=1', release: 'kvm', args: ['--set', 'webhook.replicas=1'] },
  { name: 'controller.replicas=1', release: 'kvm', args: ['--set', 'controller.replicas=1'] },
  { name: 'cert-manager and a URL', release: 'kvm', args: ['-f', ciFile('url-values.yaml')] },
  {
    name: 'cert-manager and a URL by IP address',
    release: 'kvm',
    args: [
      '--set',
      'webhook.certificates.mode=cert-manager',
      '--set-string',
      'webhook.url=https://192.0.2.10:9443/validate',
    ],
  },
  {
    name: 'a 53-character release name and every option',
    release: LONGEST_RELEASE,
    args: ['-f', ciFile('every-option-values.yaml')],
  },
  {
    name: 'a release name with dots and a leading digit',
    release: '2nd.kubevirt.migration-on.site-a',
    args: ['-f', ciFile('every-option-values.yaml')],
  },
  {
    name: 'a 63-character fullnameOverride and every option',
    release: 'kvm',
    args: ['-f', ciFile('every-option-values.yaml'), '--set', `fullnameOverride=${'k'.repeat(63)}`],
  },
];

const render = async (release: string, namespace: string, args: readonly string[]): Promise<Manifest[]> =>
  parseManifests(await helm(['template', release, chartDir, '--namespace', namespace, ...args]));

const byKind = (manifests: readonly Manifest[], kind: string): Manifest[] => manifests.filter((m) => m.kind === kind);

/** Disruptions a budget allows with every replica of its component ready (0: a drain waits for ever). */
const allowedDisruptions = (pdb: Manifest, manifests: readonly Manifest[]): number => {
  const component = (pdb.metadata as { labels?: Record<string, string> }).labels?.['app.kubernetes.io/component'];
  const deployment = byKind(manifests, 'Deployment').find(
    (d) => (d.metadata as { labels?: Record<string, string> }).labels?.['app.kubernetes.io/component'] === component,
  );
  const replicas = (deployment?.['spec'] as { replicas?: number } | undefined)?.replicas ?? 0;
  const spec = pdb['spec'] as { minAvailable?: number; maxUnavailable?: number };
  return spec.maxUnavailable !== undefined
    ? Math.min(spec.maxUnavailable, replicas)
    : replicas - (spec.minAvailable ?? 0);
};

describe('the Helm chart (deploy/kubevirt-migration)', () => {
  const kc = testKubeConfig();
  let http: KubeHttp;
  beforeAll(() => (http = testKubeHttp()));
  afterAll(() => http.close());

  it.each(CI_VALUES)('passes helm lint --strict with ci/%s', async (file) => {
    await expect(helm(['lint', '--strict', chartDir, '-f', ciFile(file)])).resolves.toMatch(
      /1 chart\(s\) linted, 0 chart\(s\) failed/,
    );
  });

  it('refuses values outside its schema, naming them', async () => {
    await expect(helm(['template', 'x', chartDir, '--set', 'webhook.replicas=-1'])).rejects.toThrow(
      /webhook\/replicas.*minimum/,
    );
    await expect(helm(['template', 'x', chartDir, '--set', 'webhook.certificates.mode=openssl'])).rejects.toThrow(
      /webhook\/certificates\/mode/,
    );
    await expect(helm(['template', 'x', chartDir, '--set', 'controler.replicas=1'])).rejects.toThrow(
      /additional properties 'controler' not allowed/,
    );
    await expect(
      helm(['template', 'x', chartDir, '--set', 'webhook.podDisruptionBudget.minAvailable=0']),
    ).rejects.toThrow(/minAvailable.*minimum/);
    await expect(
      helm(['template', 'x', chartDir, '--set', 'controller.podDisruptionBudget.maxUnavailable=0']),
    ).rejects.toThrow(/maxUnavailable.*minimum/);
    await expect(helm(['template', 'x', chartDir, '--set', `fullnameOverride=${'k'.repeat(64)}`])).rejects.toThrow(
      /fullnameOverride/,
    );
  });

  it.each([...CI_VALUES.map((f) => ({ name: `ci/${f}`, release: 'kvm', args: ['-f', ciFile(f)] })), ...EDGES])(
    'renders, with $name, only objects the API server accepts (server-side dry run, strict field validation)',
    async ({ release, args }) => {
      const namespace = await freshNamespace(kc, 'chart');
      // the kinds of the optional features, as cert-manager and the Prometheus operator publish them
      await installOptionalFeatureCrds(http);
      const rendered = await render(release, namespace, args);
      expect(rendered.length).toBeGreaterThan(10);
      const refused: string[] = [];
      for (const m of rendered) {
        await http
          .request(`dry-run create ${m.kind} ${m.metadata.name}`, 'POST', collection(m), {
            body: m,
            query: { dryRun: 'All', fieldValidation: 'Strict' },
          })
          .catch((e: unknown) =>
            refused.push((isAdapterError(e) ? e : fromClientNode(e, `${m.kind} ${m.metadata.name}`)).message),
          );
      }
      expect(refused).toEqual([]);
    },
  );

  it.each([...CI_VALUES.map((f) => ({ name: `ci/${f}`, release: 'kvm', args: ['-f', ciFile(f)] })), ...EDGES])(
    'renders, with $name, no PodDisruptionBudget that would block a drain',
    async ({ release, args }) => {
      const rendered = await render(release, 'kvm', args);
      const blocking = byKind(rendered, 'PodDisruptionBudget')
        .filter((pdb) => allowedDisruptions(pdb, rendered) < 1)
        .map((pdb) => pdb.metadata.name);
      expect(blocking).toEqual([]);
      for (const pdb of byKind(rendered, 'PodDisruptionBudget'))
        expect(pdb['spec']).toMatchObject({ unhealthyPodEvictionPolicy: 'AlwaysAllow' });
    },
  );

  it('makes a budget for each component with more than one replica, and none for a lone webhook', async () => {
    const budgets = async (...args: string[]) =>
      byKind(await render('kvm', 'kvm', args), 'PodDisruptionBudget').map((p) => p.metadata.name);
    expect(await budgets()).toEqual(['kvm-kubevirt-migration-controller', 'kvm-kubevirt-migration-webhook']);
    expect(await budgets('--set', 'webhook.replicas=1')).toEqual(['kvm-kubevirt-migration-controller']);
    expect(await budgets('--set', 'webhook.replicas=3', '--set', 'webhook.podDisruptionBudget.minAvailable=3')).toEqual(
      ['kvm-kubevirt-migration-controller'],
    );
    expect(await budgets('--set', 'controller.replicas=0')).toEqual(['kvm-kubevirt-migration-webhook']);
  });

  it.each(EDGES.filter((e) => e.release !== 'kvm' || e.name.includes('fullnameOverride')))(
    'gives, with $name, every object a name within its kind’s limit',
    async ({ release, args }) => {
      const rendered = await render(release, 'kvm', args);
      expect(release.length).toBeLessThanOrEqual(53);
      // a DNS label (63) for what becomes a host name or a label value; a DNS subdomain (253) for the rest
      const label = new Set([
        'Service',
        'Deployment',
        'Pod',
        'ServiceAccount',
        'PodDisruptionBudget',
        'NetworkPolicy',
        'ServiceMonitor',
      ]);
      const tooLong = rendered
        .filter(
          (m) =>
            m.metadata.name.length > (label.has(m.kind) ? 63 : 253) ||
            !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(m.metadata.name),
        )
        .map((m) => `${m.kind} ${m.metadata.name} (${m.metadata.name.length})`);
      expect(tooLong).toEqual([]);
      const services = byKind(rendered, 'Service').map((m) => m.metadata.name);
      expect(services).toHaveLength(2);
      for (const name of services) expect(name).toMatch(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/);
    },
  );

  it.each([
    [
      'a host name',
      'https://kubevirt-migration-webhook.example.com:8443/validate',
      { dnsNames: expect.arrayContaining(['kubevirt-migration-webhook.example.com']) },
    ],
    ['an IPv4 address', 'https://192.0.2.10:9443/validate', { ipAddresses: ['192.0.2.10'] }],
    ['an IPv6 address', 'https://[2001:db8::1]:9443/validate', { ipAddresses: ['2001:db8::1'] }],
  ])('names, with cert-manager and a URL of %s, the URL’s host in the Certificate', async (_, url, names) => {
    const rendered = await render('kvm', 'kvm', [
      '--set',
      'webhook.certificates.mode=cert-manager',
      '--set-string',
      `webhook.url=${url}`,
    ]);
    const serving = byKind(rendered, 'Certificate').find((c) => c.metadata.name === 'kvm-kubevirt-migration-webhook');
    expect(serving?.['spec']).toMatchObject(names);
  });

  it('lets the metrics scrapers reach the webhook’s port when the webhook’s ingress is narrowed', async () => {
    const rendered = await render('kvm', 'kvm', ['-f', ciFile('every-option-values.yaml')]);
    const policy = byKind(rendered, 'NetworkPolicy').find((p) => p.metadata.name === 'kvm-kubevirt-migration-webhook');
    expect((policy?.['spec'] as { ingress: unknown[] }).ingress).toEqual([
      { ports: [{ port: 'https', protocol: 'TCP' }], from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] },
      {
        ports: [{ port: 'https', protocol: 'TCP' }],
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
      },
    ]);
  });

  it('verifies the webhook’s certificate when scraping it, with the CA in the release’s Secret', async () => {
    for (const mode of ['self-managed', 'cert-manager']) {
      const rendered = await render('kvm', 'kvm', [
        '--set',
        'serviceMonitor.enabled=true',
        '--set',
        `webhook.certificates.mode=${mode}`,
      ]);
      const monitor = byKind(rendered, 'ServiceMonitor').find(
        (p) => p.metadata.name === 'kvm-kubevirt-migration-webhook',
      );
      expect((monitor?.['spec'] as { endpoints: { tlsConfig: unknown }[] }).endpoints[0]?.tlsConfig).toEqual({
        serverName: 'kvm-kubevirt-migration-webhook.kvm.svc',
        ca: { secret: { name: 'kvm-kubevirt-migration-webhook-tls', key: 'ca.crt' } },
      });
    }
  });

  it('grants least privilege: no wildcard, no CRD, names wherever RBAC can name', async () => {
    const rendered = parseManifests(await helm(['template', 'kvm', chartDir, '--namespace', 'kvm']));
    expect(rendered.filter((m) => m.kind === 'CustomResourceDefinition')).toEqual([]);
    const rules = rendered
      .filter((m) => m.kind === 'ClusterRole' || m.kind === 'Role')
      .flatMap((m) =>
        (m['rules'] as { verbs: string[]; resources: string[]; resourceNames?: string[] }[]).map((r) => ({
          role: m.metadata.name,
          ...r,
        })),
      );
    expect(JSON.stringify(rules)).not.toContain('"*"');
    // only these may go without resourceNames: RBAC cannot name what does not exist yet (create), nor filter a collection of many
    const unnamed = rules
      .filter((r) => r.resourceNames === undefined)
      .map((r) => `${r.resources.join(',')}:${r.verbs.join(',')}`);
    expect(unnamed.sort()).toEqual([
      'events:create,patch',
      'leases:create',
      'validatingwebhookconfigurations:create',
      'virtualmachineinstancemigrations:list,watch',
    ]);
  });
});
