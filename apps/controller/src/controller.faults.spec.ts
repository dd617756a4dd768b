import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { until } from '@kubevirt-migration/control-plane/testing';
import { FaultCluster } from '@kubevirt-migration/control-plane/testing/faults';
import { fromClientNode, KUBEVIRTS, SETTINGS } from '@kubevirt-migration/k8s-adapter';

/**
 * Faults of the controller, on a control plane of their own: a leader paused longer than its lease,
 * a leader killed, another writer fighting over the CR, and several writers of the Setting at once.
 * Each asserts its invariant and prints its figures (RELIABILITY.md).
 */
const root = join(__dirname, '..', '..', '..');
const LEASE = { durationS: 3, renewS: 2, retryS: 0.25 };
const FAST_LEASE = [
  `--lease-duration=${LEASE.durationS}`,
  `--renew-deadline=${LEASE.renewS}`,
  `--retry-period=${LEASE.retryS}`,
];
let cluster: FaultCluster;
let kc: KubeConfig;
let custom: CustomObjectsApi;
type Controller = Awaited<ReturnType<FaultCluster['controller']>>;

beforeAll(async () => {
  cluster = await FaultCluster.start(root);
  kc = new KubeConfig();
  kc.loadFromFile(cluster.cp.kubeconfig);
  custom = kc.makeApiClient(CustomObjectsApi);
}, 180000);

afterAll(() => cluster?.stop());

const kubevirtRef = { ...KUBEVIRTS, namespace: 'harvester-system', name: 'kubevirt' };
const migrations = async () =>
  (
    (await custom.getNamespacedCustomObject(kubevirtRef)) as {
      spec: { configuration?: { migrations?: Record<string, unknown> } };
    }
  ).spec.configuration?.migrations;
const setValue = (value: string) =>
  custom.patchClusterCustomObject({
    ...SETTINGS,
    name: 'kubevirt-migration',
    body: [{ op: 'add', path: '/value', value }],
  });
const metric = async (c: Controller, name: string, label = ''): Promise<number> => {
  const text = await (await fetch(`http://127.0.0.1:${c.probePort}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name) && l.includes(label))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
};
const leads = async (c: Controller) => (await metric(c, 'kubevirt_migration_controller_leader')) === 1;
const start = (name: string) => cluster.controller(`${name}.log`, FAST_LEASE);
/** What a replica logged after `since`: its passes and their outcomes. */
const outcomesAfter = (c: Controller, since: number): string[] =>
  readFileSync(c.logFile, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { time: string; msg: string; outcome?: string })
    .filter((e) => Date.parse(e.time) >= since && e.msg === 'reconciled' && e.outcome !== undefined)
    .map((e) => e.outcome ?? '');

describe('fault: leadership', () => {
  it('a leader paused past its lease writes nothing when it resumes; a killed leader is replaced within the lease duration + 1 s', async () => {
    const a = await start('a');
    const b = await start('b');
    try {
      await until('a leader', async () => (await leads(a)) || (await leads(b)), 20000);
      const [leader, follower] = (await leads(a)) ? [a, b] : [b, a];
      const changedAt = Date.now();
      await setValue('{"parallelMigrationsPerCluster":2}');
      await until('the change applied', async () => (await migrations())?.['parallelMigrationsPerCluster'] === 2);
      // and the leader's pass over (its Event and record sent, its outcome logged): a pass cut by the
      // pause would be logged after the resume, and its writes sent before it counted as a deposed leader's
      await until(
        'the leader to log its pass',
        () => outcomesAfter(leader, changedAt).includes('Applied') || undefined,
      );

      // pause the leader longer than its lease; the follower takes over and applies a change
      const pid = leader.pid ?? 0;
      process.kill(pid, 'SIGSTOP');
      const pausedAt = Date.now();
      await until('the follower to lead', () => leads(follower), 20000);
      const takeover = Date.now() - pausedAt;
      await setValue('{"parallelMigrationsPerCluster":3}');
      await until('the new leader to apply', async () => (await migrations())?.['parallelMigrationsPerCluster'] === 3);
      // a change the paused leader will see as soon as it resumes
      await setValue('{"parallelMigrationsPerCluster":4}');
      await until(
        'the new leader to apply again',
        async () => (await migrations())?.['parallelMigrationsPerCluster'] === 4,
      );
      const resumedAt = Date.now();
      process.kill(pid, 'SIGCONT');
      await until('the resumed replica to know it does not lead', async () => !(await leads(leader)), 10000);
      await new Promise((r) => setTimeout(r, 3000));
      const deposedWrites = outcomesAfter(leader, resumedAt).filter((o) =>
        ['Applied', 'DriftCorrected', 'Adopted', 'Invalid', 'Conflict'].includes(o),
      );

      // kill the (new) leader: the other replica takes over
      follower.kill('SIGKILL');
      const killedAt = Date.now();
      await until('the first replica to lead again', () => leads(leader), 20000);
      const failover = Date.now() - killedAt;
      await setValue('{"parallelMigrationsPerCluster":5}');
      await until(
        'the change applied after failover',
        async () => (await migrations())?.['parallelMigrationsPerCluster'] === 5,
      );
      console.log(
        `leadership: takeover from a paused leader ${takeover} ms; writes by the deposed leader after it resumed ${deposedWrites.length}; failover after SIGKILL ${failover} ms (lease ${LEASE.durationS} s)`,
      );
      expect(deposedWrites).toEqual([]);
      expect(failover).toBeLessThan(LEASE.durationS * 1000 + 1000);
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});

describe('fault: contention', () => {
  let controller: Controller;
  beforeAll(async () => {
    controller = await start('contention');
    await until('a leader', () => leads(controller), 20000);
  });
  afterAll(() => controller.stop());

  it('another writer editing the CR every 50 ms for 20 s: every edit set back, at most one Event object per reason and message', async () => {
    await setValue('{"parallelMigrationsPerCluster":6}');
    await until('the value applied', async () => (await migrations())?.['parallelMigrationsPerCluster'] === 6);
    const core = kc.makeApiClient(CoreV1Api);
    await core.deleteCollectionNamespacedEvent({
      namespace: 'default',
      fieldSelector: 'involvedObject.name=kubevirt-migration',
    });
    const errorsBefore = await metric(controller, 'kubevirt_migration_controller_reconcile_errors_total');
    let edits = 0;
    const end = Date.now() + 20000;
    while (Date.now() < end) {
      await custom.patchNamespacedCustomObject({
        ...kubevirtRef,
        body: [{ op: 'replace', path: '/spec/configuration/migrations/parallelMigrationsPerCluster', value: 9 }],
      });
      edits++;
      await new Promise((r) => setTimeout(r, 50));
    }
    await until('the last edit set back', async () => (await migrations())?.['parallelMigrationsPerCluster'] === 6);
    const corrections = await metric(
      controller,
      'kubevirt_migration_controller_reconciles_total',
      'outcome="DriftCorrected"',
    );
    const events = (
      await core.listNamespacedEvent({ namespace: 'default', fieldSelector: 'involvedObject.name=kubevirt-migration' })
    ).items;
    const perKey = new Map<string, number>();
    for (const e of events) perKey.set(`${e.reason}: ${e.message}`, (perKey.get(`${e.reason}: ${e.message}`) ?? 0) + 1);
    const counted = events.reduce((sum, e) => sum + (e.count ?? 1), 0);
    console.log(
      `contention: ${edits} edits of the CR in 20 s; ${corrections} drift corrections; ${events.length} Event object(s) counting ${counted} (${[...perKey.keys()].join(' | ')})`,
    );
    expect([...perKey.values()].every((n) => n === 1)).toBe(true);
    expect(await metric(controller, 'kubevirt_migration_controller_reconcile_errors_total')).toBe(errorsBefore);
  });

  it('four writers of the Setting at once for 10 s: no pass fails, and the CR ends with the last value', async () => {
    const errorsBefore = await metric(controller, 'kubevirt_migration_controller_reconcile_errors_total');
    const conflictsBefore = await metric(
      controller,
      'kubevirt_migration_controller_reconciles_total',
      'outcome="Conflict"',
    );
    const end = Date.now() + 10000;
    let writes = 0;
    let refused = 0;
    const writer = async (n: number) => {
      for (let i = 0; Date.now() < end; i++) {
        try {
          await setValue(`{"parallelMigrationsPerCluster":${10 + n},"progressTimeout":${100 + i}}`);
          writes++;
        } catch (e) {
          if (fromClientNode(e, 'write').kind !== 'Conflict') throw e;
          refused++;
        }
      }
    };
    await Promise.all([0, 1, 2, 3].map(writer));
    const last = (await custom.getClusterCustomObject({ ...SETTINGS, name: 'kubevirt-migration' })) as {
      value: string;
    };
    const expected = JSON.parse(last.value) as Record<string, unknown>;
    await until(
      'the CR to hold the last value',
      async () => JSON.stringify(await migrations()) === JSON.stringify(expected),
      10000,
    );
    const conflicts =
      (await metric(controller, 'kubevirt_migration_controller_reconciles_total', 'outcome="Conflict"')) -
      conflictsBefore;
    console.log(
      `concurrent Setting writers: ${writes} writes (${refused} refused by the API server as conflicts); ${conflicts} controller conflicts, retried`,
    );
    expect(await metric(controller, 'kubevirt_migration_controller_reconcile_errors_total')).toBe(errorsBefore);
  });
});
