import { CoordinationV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { type AuditEvent, auditEvents, auditPod } from '@kubevirt-migration/control-plane';
import { testKubeConfig, testKubeconfigPath, until } from '@kubevirt-migration/control-plane/testing';

import { keepKilling, nodeProcessesOfPod } from './testing/host-processes.js';
import { kubectlJson, PREPARE_KUBECTL_MS, prepareKubectl, removeKubectlHome, setValue } from './testing/kubectl.js';
import { parallelMigrationsPerCluster } from './testing/kubevirt.js';
import { allReady, NAMESPACE, podsOf, WEBHOOK } from './testing/release-pods.js';

/**
 * Outages of the release's pods on the node: every webhook process killed (the registration's
 * failurePolicy is Fail), and the leader's pod deleted (the other replica takes over, the deleted
 * one writes nothing more).
 */
const kc = testKubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const leases = kc.makeApiClient(CoordinationV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const settingValue = (): string | undefined =>
  kubectlJson<{ value?: string }>(['get', 'settings.harvesterhci.io', 'kubevirt-migration']).value;

beforeAll(prepareKubectl, PREPARE_KUBECTL_MS);
afterAll(removeKubectlHome);

describe('every webhook process killed', () => {
  beforeAll(allReady);
  afterAll(allReady);

  it('admits no change of the Setting while none answers (the refusal names the webhook), and admits changes again once they are back', async () => {
    const uids = (await podsOf('webhook')).map((p) => p.metadata?.uid ?? '');
    expect(uids).toHaveLength(2);
    const before = settingValue();
    // the kubelet restarts a killed container at once, then with back-off: each new process is killed
    // within 50 ms, long before it could load its certificates and listen
    const killer = keepKilling(uids);
    const answers: ReturnType<typeof setValue>[] = [];
    let kills = 0;
    try {
      await until('no webhook process left', () => uids.every((u) => nodeProcessesOfPod(u).length === 0), 10000);
      for (let i = 0; i < 12; i++) {
        answers.push(setValue(JSON.stringify({ parallelMigrationsPerCluster: (i % 5) + 2 })));
        await sleep(300);
      }
    } finally {
      kills = await killer.stop();
    }
    expect(kills).toBeGreaterThanOrEqual(2);
    for (const a of answers) {
      expect(a.status).not.toBe(0);
      expect(a.stderr).toContain(`failed calling webhook "${WEBHOOK}"`);
    }
    expect(settingValue()).toBe(before);
    const admitted = await until(
      'a change to be admitted once the webhook is back',
      () => {
        const r = setValue('{"parallelMigrationsPerCluster":7}');
        return r.status === 0 ? r : undefined;
      },
      120000,
    );
    expect(admitted.stdout).toContain('patched');
    expect(settingValue()).toBe('{"parallelMigrationsPerCluster":7}');
  }, 180000);
});

const WRITES = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);
const isLeaseWrite = (e: AuditEvent): boolean =>
  e.objectRef?.resource === 'leases' && e.objectRef.name === 'kubevirt-migration-controller' && WRITES.has(e.verb);
const holderIn = (e: AuditEvent | undefined): string =>
  (e?.requestObject as { spec?: { holderIdentity?: string } } | undefined)?.spec?.holderIdentity ?? '';

/**
 * When the pod `name` lost the Lease, from the audit log: it held it when it was deleted (the last
 * Lease write before names it), and lost it with the first Lease write after that names another
 * holder (its own release, or the other replica's take-over).
 */
const leaseLost = (events: readonly AuditEvent[], name: string): string => {
  const deletion = events.find(
    (e) =>
      e.verb === 'delete' &&
      e.objectRef?.resource === 'pods' &&
      e.objectRef.subresource === undefined &&
      e.objectRef.name === name,
  );
  if (deletion === undefined) throw new Error(`the audit log has no deletion of pod ${name}`);
  const stored = events.filter((e) => isLeaseWrite(e) && (e.responseStatus?.code ?? 500) < 300);
  const before = stored.filter((e) => e.requestReceivedTimestamp < deletion.requestReceivedTimestamp).at(-1);
  expect(holderIn(before).startsWith(`${name}_`)).toBe(true);
  const loss = stored.find(
    (e) => e.requestReceivedTimestamp > deletion.requestReceivedTimestamp && !holderIn(e).startsWith(`${name}_`),
  );
  if (loss === undefined)
    throw new Error(`the audit log has no Lease write after pod ${name} was deleted that names another holder`);
  return loss.requestReceivedTimestamp;
};

describe('the leader’s pod deleted', () => {
  beforeAll(allReady);
  afterAll(allReady);

  const lease = async () =>
    (await leases.readNamespacedLease({ name: 'kubevirt-migration-controller', namespace: NAMESPACE })).spec;

  /** The controller pod that holds the Lease, once a running replica does (after other tests it may still name one that is gone). */
  const liveLeader = () =>
    until(
      'a running replica to hold the Lease',
      async () => {
        const running = await podsOf('controller');
        const holder = (await lease())?.holderIdentity ?? '';
        const leader = running.find((p) => holder.startsWith(`${p.metadata?.name ?? ''}_`));
        return running.length === 2 && leader !== undefined ? leader : undefined;
      },
      60000,
    );

  it('another replica leads within the lease duration + 1 s, and the deleted one writes nothing after it lost the Lease (API server audit log)', async () => {
    const leader = await liveLeader();
    const name = leader.metadata?.name ?? '';
    const ip = leader.status?.podIP ?? '';
    const deleted = Date.now();
    await core.deleteNamespacedPod({ name, namespace: NAMESPACE });
    let holder = '';
    await until(
      `another replica than ${name} to lead after it was deleted`,
      async () => {
        holder = (await lease())?.holderIdentity ?? '';
        return holder !== '' && !holder.startsWith(`${name}_`);
      },
      30000,
    ).catch((e: unknown) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}; the Lease names ${holder}`);
    });
    const took = (Date.now() - deleted) / 1000;
    expect((await lease())?.leaseDurationSeconds).toBe(15);
    expect(took).toBeLessThanOrEqual(15 + 1);

    // work for whoever leads, while the deleted pod is still shutting down: a write from it would show
    const value = 2 + (deleted % 7);
    expect(setValue(JSON.stringify({ parallelMigrationsPerCluster: value })).status).toBe(0);
    await until(
      'the new leader to apply the change',
      async () => (await parallelMigrationsPerCluster(custom)) === value,
      30000,
    );
    await until(
      `pod ${name} to be gone`,
      async () =>
        !(await podsOf('controller')).some((p) => p.metadata?.name === name) &&
        (await core.listNamespacedPod({ namespace: NAMESPACE, fieldSelector: `metadata.name=${name}` })).items
          .length === 0,
      90000,
    );

    const events = auditEvents(testKubeconfigPath());
    const fromPod = events.filter((e) => auditPod(e) === name && WRITES.has(e.verb));
    // the attribution holds: its renewals of the Lease are there, from its pod's address
    expect(fromPod.filter(isLeaseWrite).length).toBeGreaterThan(0);
    expect(fromPod.every((e) => e.sourceIPs?.includes(ip) === true)).toBe(true);
    const lost = leaseLost(events, name);
    // timestamps are MicroTime (fixed width, UTC): their text sorts as their time
    const after = fromPod.filter((e) => e.requestReceivedTimestamp > lost);
    expect(after.map((e) => `${e.verb} ${e.requestURI} at ${e.requestReceivedTimestamp}`)).toEqual([]);
    // and the change was applied by the new leader
    const applied = events.filter(
      (e) => e.objectRef?.resource === 'kubevirts' && WRITES.has(e.verb) && e.requestReceivedTimestamp > lost,
    );
    expect(applied.length).toBeGreaterThan(0);
    expect(applied.every((e) => auditPod(e) !== name)).toBe(true);
  }, 180000);
});
