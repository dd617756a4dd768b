import { randomBytes } from 'node:crypto';

import { CoreV1Api } from '@kubernetes/client-node';
import { customApi, testKubeConfig, testKubeconfigPath } from '@kubevirt-migration/control-plane/testing';
import { KUBEVIRTS, MIGRATION_POLICIES, VMIS } from '@kubevirt-migration/k8s-adapter';

import { runCli } from './testing/run-cli.js';

/**
 * `effective` against the local control plane: the VMI, its Namespace, every MigrationPolicy (under
 * KubeVirt 1.7.0's own CRD schema), the KubeVirt CR and both CRDs come from the API server.
 */
const run = (...args: string[]) => runCli([...args, '--kubeconfig', testKubeconfigPath()], { HOME: '/nonexistent' });

const kc = testKubeConfig();
const custom = customApi(kc);
const core = kc.makeApiClient(CoreV1Api);
const suffix = randomBytes(4).toString('hex');
const ns = `effective-${suffix}`;
const policyNames: string[] = [];

const createPolicy = async (name: string, spec: Record<string, unknown>) => {
  const full = `${name}-${suffix}`;
  policyNames.push(full);
  await custom.createClusterCustomObject({
    ...MIGRATION_POLICIES,
    body: { apiVersion: 'migrations.kubevirt.io/v1alpha1', kind: 'MigrationPolicy', metadata: { name: full }, spec },
  });
  return full;
};
const createVmi = (name: string, labels: Record<string, string>) =>
  custom.createNamespacedCustomObject({
    ...VMIS,
    namespace: ns,
    body: {
      apiVersion: 'kubevirt.io/v1',
      kind: 'VirtualMachineInstance',
      metadata: { name, labels },
      spec: { domain: { devices: {} } },
    },
  });

const kubevirt = { ...KUBEVIRTS, namespace: 'harvester-system', name: 'kubevirt' };
/** The shared CR's migrations block, set for these tests and removed after them (the seeded state has none). */
const setMigrations = (value: Record<string, unknown>) =>
  custom.patchNamespacedCustomObject({
    ...kubevirt,
    body: [{ op: 'add', path: '/spec/configuration/migrations', value }],
  });

beforeAll(async () => {
  await setMigrations({ bandwidthPerMigration: '64Mi', allowWorkloadDisruption: false });
  await core.createNamespace({ body: { metadata: { name: ns, labels: { tier: 'production' } } } });
  await createVmi('db-0', { app: 'postgres', 'kubevirt.io/nodeName': 'node-2' });
  await createVmi('bare', {});
  await createPolicy('everything', { selectors: {}, completionTimeoutPerGiB: 200 });
  await createPolicy('production', {
    selectors: { namespaceSelector: { tier: 'production' } },
    bandwidthPerMigration: '1Gi',
  });
  await createPolicy('busy-db', {
    selectors: { namespaceSelector: { tier: 'production' }, virtualMachineInstanceSelector: { app: 'postgres' } },
    allowAutoConverge: true,
    allowPostCopy: true,
    completionTimeoutPerGiB: 800,
  });
  await createPolicy('web', {
    selectors: { virtualMachineInstanceSelector: { app: 'web' } },
    allowAutoConverge: false,
  });
});

afterAll(async () => {
  await custom.patchNamespacedCustomObject({
    ...kubevirt,
    body: [{ op: 'remove', path: '/spec/configuration/migrations' }],
  });
  for (const name of policyNames) await custom.deleteClusterCustomObject({ ...MIGRATION_POLICIES, name });
  await core.deleteNamespace({ name: ns });
});

describe('kubevirt-migration effective against a cluster', () => {
  it('reads the VMI by NAMESPACE/NAME and everything else from the cluster; the policy with most matching labels wins', () => {
    const r = run('effective', '--vmi', `${ns}/db-0`, '-o', 'json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ vmi: `${ns}/db-0`, policy: `busy-db-${suffix}` });
    expect(Object.keys(out)).toEqual(['vmi', 'policy', 'configuration', 'sources']);
    expect(out.configuration).toMatchObject({
      completionTimeoutPerGiB: 800,
      allowAutoConverge: true,
      allowPostCopy: true,
      allowWorkloadDisruption: true,
      bandwidthPerMigration: '64Mi',
    });
    expect(out.sources).toMatchObject({
      completionTimeoutPerGiB: 'policy',
      allowWorkloadDisruption: 'policy',
      bandwidthPerMigration: 'kubevirt',
      progressTimeout: 'default',
    });
    // the installed 1.7.0 KubeVirt CRD lists neither option, so KubeVirt does not resolve them
    expect(out.configuration).not.toHaveProperty('maxDowntimeMs');
    expect(out.configuration).not.toHaveProperty('utilityVolumesTimeout');
  });

  it('quirk 2 on a real API server: an empty label map is dropped, and such a VMI matches every policy with selectors', async () => {
    const stored = (await custom.getNamespacedCustomObject({ ...VMIS, namespace: ns, name: 'bare' })) as {
      metadata: { labels?: unknown };
    };
    expect(stored.metadata.labels).toBeUndefined();
    const r = run('effective', '--vmi', `${ns}/bare`);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`policy: busy-db-${suffix} wins with 0 matching labels (VMI 0, Namespace 0)`);
    expect(r.stdout).toMatch(new RegExp(`web-${suffix}\\s+yes\\s+0\\s+0\\s+the VMI has no labels`));
  });

  it('the API server prunes a field its MigrationPolicy CRD does not list, so KubeVirt never sees it', async () => {
    const name = await createPolicy('pruned', {
      selectors: { virtualMachineInstanceSelector: { never: 'matches' } },
      maxDowntimeMs: 300,
    });
    const stored = (await custom.getClusterCustomObject({ ...MIGRATION_POLICIES, name })) as {
      spec: Record<string, unknown>;
    };
    expect(stored.spec).not.toHaveProperty('maxDowntimeMs');
  });

  it('the text names the server when the VMI does not exist: exit 2, one line', () => {
    const r = run('effective', '--vmi', `${ns}/missing`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        `^kubevirt-migration: https://127\\.0\\.0\\.1:\\d+: VirtualMachineInstance ${ns}/missing not found\\n$`,
      ),
    );
  });
});
