import { CoordinationV1Api, CoreV1Api, PolicyV1Api } from '@kubernetes/client-node';
import { testKubeConfig, until } from '@kubevirt-migration/control-plane/testing';

/**
 * Operating the release on the node as an administrator would: evictions against its
 * PodDisruptionBudgets, and the leader's pod deleted.
 */
const NAMESPACE = 'kubevirt-migration';
const RELEASE = 'kubevirt-migration';
const kc = testKubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const policy = kc.makeApiClient(PolicyV1Api);
const leases = kc.makeApiClient(CoordinationV1Api);

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

  it('another replica leads within the lease duration + 1 s', async () => {
    const lease = async () => (await leases.readNamespacedLease({ name: 'kubevirt-migration-controller', namespace: NAMESPACE })).spec;
    // after the evictions above, the Lease may still name a replica that is gone: wait for a live one to hold it
    const live = await until(
      'a running replica to hold the Lease',
      async () => {
        const names = (await podsOf('controller')).map((p) => p.metadata?.name ?? '');
        const holder = (await lease())?.holderIdentity ?? '';
        const leader = names.find((n) => holder.startsWith(`${n}_`));
        return names.length === 2 && leader !== undefined ? { leader, other: names.find((n) => n !== leader) } : undefined;
      },
      60000,
    );
    const leaderPod = live.leader;
    const other = live.other;
    expect(other).toBeDefined();
    const deleted = Date.now();
    await core.deleteNamespacedPod({ name: leaderPod, namespace: NAMESPACE });
    // the other replica, or the Deployment's replacement pod when it wins the race for the released Lease
    let holder = '';
    await until(
      `another replica than ${leaderPod} to lead after it was deleted`,
      async () => {
        holder = (await lease())?.holderIdentity ?? '';
        return holder !== '' && !holder.startsWith(`${leaderPod}_`);
      },
      30000,
    ).catch((e: unknown) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}; the Lease names ${holder}`);
    });
    const took = (Date.now() - deleted) / 1000;
    const duration = (await lease())?.leaseDurationSeconds ?? 0;
    expect(duration).toBe(15);
    expect(took).toBeLessThanOrEqual(duration + 1);
  }, 120000);
});
