import { CoreV1Api, CustomObjectsApi, PolicyV1Api } from '@kubernetes/client-node';
import { type AuditEvent, auditEvents } from '@kubevirt-migration/control-plane';
import { testKubeConfig, testKubeconfigPath, until } from '@kubevirt-migration/control-plane/testing';
import { SETTINGS } from '@kubevirt-migration/k8s-adapter';

import { chartDir, helm } from './testing/helm.js';
import {
  kubectl,
  kubectlInBackground,
  kubectlOk,
  PREPARE_KUBECTL_MS,
  prepareKubectl,
  removeKubectlHome,
} from './testing/kubectl.js';
import { parallelMigrationsPerCluster } from './testing/kubevirt.js';
import { allReady, type Component, NAMESPACE, podsOf, RELEASE } from './testing/release-pods.js';

beforeAll(prepareKubectl, PREPARE_KUBECTL_MS);
afterAll(removeKubectlHome);

/**
 * Operating the release on the node as an administrator would: a drain against its
 * PodDisruptionBudgets and a rolling upgrade while the Setting changes.
 */
const kc = testKubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const policy = kc.makeApiClient(PolicyV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);

const terminatingWebhookPods = async (): Promise<number> =>
  (
    await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: 'app.kubernetes.io/component=webhook' })
  ).items.filter((p) => p.metadata?.deletionTimestamp !== undefined).length;

const NODE = 'kubevirt-migration-node';
const COMPONENTS = ['webhook', 'controller'] as const;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const names = async (component: Component): Promise<string[]> =>
  (await podsOf(component)).map((p) => p.metadata?.name ?? '');
const budgetAllows = async (component: Component): Promise<number | undefined> =>
  (await policy.readNamespacedPodDisruptionBudget({ name: `${RELEASE}-${component}`, namespace: NAMESPACE })).status
    ?.disruptionsAllowed;

/** Which of `originals` are evicted: being deleted, or gone (drain prints "evicted" only once a pod is gone). */
const evictedOf = async (component: Component, originals: readonly string[]): Promise<string[]> => {
  const pods = (
    await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: `app.kubernetes.io/component=${component}` })
  ).items;
  return originals.filter((name) => {
    const pod = pods.find((p) => p.metadata?.name === name);
    return pod === undefined || pod.metadata?.deletionTimestamp !== undefined;
  });
};

/** The answers of the eviction API to the pod's evictions (201 evicted, 429 refused by a budget), in order, from the audit log. */
const evictions = (events: readonly AuditEvent[], pod: string): { readonly at: string; readonly code: number }[] =>
  events
    .filter(
      (e) =>
        e.verb === 'create' &&
        e.objectRef?.resource === 'pods' &&
        e.objectRef.subresource === 'eviction' &&
        e.objectRef.name === pod,
    )
    .map((e) => ({ at: e.requestReceivedTimestamp, code: e.responseStatus?.code ?? 0 }));

/** When the first pod of `component` that is not one of `originals` became Ready (its condition's time: whole seconds). */
const replacementReadyAt = async (component: Component, originals: readonly string[]): Promise<number> => {
  const replacement = (await podsOf(component))
    .filter((p) => !originals.includes(p.metadata?.name ?? ''))
    .sort(
      (x, y) => (x.metadata?.creationTimestamp?.getTime() ?? 0) - (y.metadata?.creationTimestamp?.getTime() ?? 0),
    )[0];
  const ready = replacement?.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True');
  if (ready?.lastTransitionTime === undefined) throw new Error(`no Ready replacement ${component} pod`);
  return new Date(ready.lastTransitionTime).getTime();
};

/**
 * From the audit log: one of the two pods went at drain's first try; the other was refused (429)
 * until a replacement was Ready, then evicted. The Ready time has whole seconds: refused before it
 * (within that second), allowed after it.
 */
const expectEvictionsHonouredBudget = async (
  events: readonly AuditEvent[],
  component: Component,
  originals: readonly string[],
): Promise<void> => {
  const [first = [], second = []] = originals.map((pod) => evictions(events, pod)).sort((x, y) => x.length - y.length);
  expect(first.map((a) => a.code)).toEqual([201]);
  const refused = second.slice(0, -1);
  const allowed = second.at(-1);
  expect({ refused: refused.map((a) => a.code), allowed: allowed?.code }).toEqual({
    refused: refused.map(() => 429),
    allowed: 201,
  });
  expect(refused.length).toBeGreaterThanOrEqual(2);
  const readyAt = await replacementReadyAt(component, originals);
  for (const a of refused) expect(new Date(a.at).getTime()).toBeLessThan(readyAt + 1000);
  expect(new Date(allowed?.at ?? 0).getTime()).toBeGreaterThanOrEqual(readyAt);
};

describe('kubectl drain of the node (one node: the evicted replicas come back only once it is uncordoned)', () => {
  beforeAll(allReady);
  afterAll(async () => {
    kubectl(['uncordon', NODE]);
    await allReady();
  });

  it('evicts one pod of each component at once, is refused the other exactly while its budget would break, and completes once the replacements are Ready', async () => {
    const originals = { webhook: await names('webhook'), controller: await names('controller') };
    const drain = kubectlInBackground([
      'drain',
      NODE,
      '--ignore-daemonsets',
      '--delete-emptydir-data',
      '--timeout=240s',
    ]);
    try {
      await until(
        'drain to be refused by both budgets',
        () => (drain.output().match(/would violate the pod's disruption budget/g) ?? []).length >= 2,
        60000,
      );
      // the node cordoned: the evicted pods' replacements cannot start, so each budget allows nothing
      await sleep(6000); // one more of drain's retries (every 5 s), refused again
      for (const component of COMPONENTS) {
        expect(await budgetAllows(component)).toBe(0);
        expect(await evictedOf(component, originals[component])).toHaveLength(1);
      }
      kubectlOk(['uncordon', NODE]);
      expect(await drain.ended).toBe(0);
    } finally {
      drain.stop();
    }
    expect(drain.output()).toContain(`node/${NODE} drained`);

    const events = auditEvents(testKubeconfigPath());
    for (const component of COMPONENTS) await expectEvictionsHonouredBudget(events, component, originals[component]);
  }, 300000);
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
      // helm returns once the new pods are Ready: the old ones are still shutting down, so keep writing until they are gone
      await until('the old webhook pods to be gone', async () => (await terminatingWebhookPods()) === 0, 120000);
    } finally {
      writing = false;
      await writer;
      process.stderr.write(`rolling upgrade under a writer: ${written} changes admitted, ${failures.length} failed\n`);
    }
    expect(failures).toEqual([]);
    expect(written).toBeGreaterThan(10);
    await until(
      'the controller to apply the last value',
      async () => (await parallelMigrationsPerCluster(custom)) === last,
      30000,
    );
    expect(await parallelMigrationsPerCluster(custom)).toBe(last);
  });
});
