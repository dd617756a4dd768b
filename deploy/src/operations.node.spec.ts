import { CoordinationV1Api, CoreV1Api, CustomObjectsApi, PolicyV1Api } from '@kubernetes/client-node';
import { SETTINGS } from '@kubevirt-migration/k8s-adapter';
import { testKubeConfig, testKubeconfigPath, until } from '@kubevirt-migration/control-plane/testing';
import { chartDir, helm } from './testing/helm.js';

/**
 * Operating the release on the node as an administrator would: evictions against its
 * PodDisruptionBudgets, the leader's pod deleted, and a rolling upgrade while the Setting changes.
 */
const NAMESPACE = 'kubevirt-migration';
const RELEASE = 'kubevirt-migration';
const kc = testKubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const policy = kc.makeApiClient(PolicyV1Api);
const leases = kc.makeApiClient(CoordinationV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
const podsOf = async (component: 'controller' | 'webhook') =>
  (await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: `app.kubernetes.io/component=${component}` })).items.filter(
    (p) => p.metadata?.deletionTimestamp === undefined,
  );
const readyCount = async (component: 'controller' | 'webhook'): Promise<number> =>
  (await podsOf(component)).filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
const allReady = () =>
  until('the release’s four pods Ready', async () => (await readyCount('webhook')) === 2 && (await readyCount('controller')) === 2, 120000);

/** Asks the eviction API to evict a pod; gives the HTTP status (201 evicted, 429 refused by a PDB). */
const evict = async (name: string): Promise<number> => {
  try {
    await core.createNamespacedPodEviction({
      name,
      namespace: NAMESPACE,
      body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: NAMESPACE } },
    });
    return 201;
  } catch (e) {
    return (e as { code?: number }).code ?? 0;
  }
};

describe('evictions against the PodDisruptionBudgets (one node: the replicas cannot go elsewhere)', () => {
  beforeAll(allReady);
  afterAll(allReady);

  it.each(['webhook', 'controller'] as const)('the %s: one pod may go; a second is refused until its replacement is Ready, then allowed', async (component) => {
    const [first, second] = (await podsOf(component)).map((p) => p.metadata?.name ?? '');
    expect(await evict(first ?? '')).toBe(201);
    // the budget is spent: evicting the other now would leave no Ready replica (minAvailable 1 / maxUnavailable 1)
    expect(await evict(second ?? '')).toBe(429);
    await until(`a replacement ${component} pod Ready`, async () => (await readyCount(component)) === 2, 120000);
    await until(
      `the ${component} budget to allow a disruption again`,
      async () => (await policy.readNamespacedPodDisruptionBudget({ name: `${RELEASE}-${component}`, namespace: NAMESPACE })).status?.disruptionsAllowed === 1,
      30000,
    );
    expect(await evict(second ?? '')).toBe(201);
  });
});

describe('the leader’s pod deleted', () => {
  beforeAll(allReady);
  afterAll(allReady);

  it('the other replica leads within the lease duration + 1 s', async () => {
    const lease = async () => (await leases.readNamespacedLease({ name: 'kubevirt-migration-controller', namespace: NAMESPACE })).spec;
    const holder = (await lease())?.holderIdentity ?? '';
    const leaderPod = holder.split('_')[0] ?? '';
    const other = (await podsOf('controller')).map((p) => p.metadata?.name ?? '').find((n) => n !== leaderPod);
    expect(other).toBeDefined();
    const deleted = Date.now();
    await core.deleteNamespacedPod({ name: leaderPod, namespace: NAMESPACE });
    await until('the other replica to lead', async () => (await lease())?.holderIdentity?.startsWith(`${other ?? '?'}_`) === true, 30000);
    const took = (Date.now() - deleted) / 1000;
    const duration = (await lease())?.leaseDurationSeconds ?? 0;
    expect(duration).toBe(15);
    expect(took).toBeLessThanOrEqual(duration + 1);
  });
});

describe('a rolling upgrade while a writer changes the Setting every 200 ms', () => {
  beforeAll(allReady);
  afterAll(allReady);

  it('admits every change (maxUnavailable 0, the webhook reached through its Service) and the CR ends at the last value', async () => {
    const setting = { ...SETTINGS, name: 'kubevirt-migration' };
    const failures: string[] = [];
    let written = 0;
    let last = 0;
    let writing = true;
    const writer = (async () => {
      for (let i = 1; writing; i++) {
        const value = JSON.stringify({ parallelMigrationsPerCluster: (i % 9) + 1 });
        try {
          await custom.patchClusterCustomObject({ ...setting, body: [{ op: 'add', path: '/value', value }] });
          written++;
          last = (i % 9) + 1;
        } catch (e) {
          failures.push(e instanceof Error ? e.message : String(e));
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    try {
      await helm(
        [
          'upgrade',
          RELEASE,
          chartDir,
          '--namespace',
          NAMESPACE,
          '--reuse-values',
          '--set-string',
          `webhook.podAnnotations.upgraded=${Date.now()},controller.podAnnotations.upgraded=${Date.now()}`,
          '--wait',
          '--timeout',
          '5m',
        ],
        testKubeconfigPath(),
      );
    } finally {
      writing = false;
      await writer;
    }
    expect(failures).toEqual([]);
    expect(written).toBeGreaterThan(10);
    const cr = await until(
      'the controller to apply the last value',
      async () => {
        const kubevirt = (await custom.getNamespacedCustomObject({
          group: 'kubevirt.io',
          version: 'v1',
          plural: 'kubevirts',
          namespace: 'harvester-system',
          name: 'kubevirt',
        })) as {
          spec: { configuration: { migrations?: { parallelMigrationsPerCluster?: number } } };
        };
        return kubevirt.spec.configuration.migrations?.parallelMigrationsPerCluster === last ? kubevirt : undefined;
      },
      30000,
    );
    expect(cr.spec.configuration.migrations?.parallelMigrationsPerCluster).toBe(last);
  });
});
