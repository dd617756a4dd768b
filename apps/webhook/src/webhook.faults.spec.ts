import { join } from 'node:path';

import type { ControlPlane, ManagedProcess } from '@kubevirt-migration/control-plane';
import { until } from '@kubevirt-migration/control-plane/testing';
import { ChangeTally, type FaultClient, FaultCluster, sleep } from '@kubevirt-migration/control-plane/testing/faults';

/**
 * Faults around the HEP rule (no change of the setting while a migration is in progress) and the
 * controller's recovery, on a control plane of their own with the webhook and one controller: the
 * API server killed and restarted, the API server or etcd paused, the webhook killed, and
 * migrations changing phase while changes are attempted. Figures are printed (RELIABILITY.md).
 */
const root = join(__dirname, '..', '..', '..');
const PAUSE_MS = 8000;
let cluster: FaultCluster;
let cp: ControlPlane;
let webhook: ManagedProcess;
let client: FaultClient;
let ns: string;
/** A value no earlier write used, so that every write is a change. */
let serial = 100;
const nextValue = (): string => `{"parallelMigrationsPerCluster":${serial++}}`;

beforeAll(async () => {
  cluster = await FaultCluster.start(root);
  ({ cp, client } = cluster);
  webhook = await cluster.webhook();
  await cluster.controller('controller.log', ['--lease-duration=3', '--renew-deadline=2', '--retry-period=0.25']);
  ns = await client.createNamespace('fault');
}, 180000);

afterAll(() => cluster?.stop());

/** Waits until the API server answers a read again; gives the time it did. */
const answering = async (): Promise<number> => {
  await until(
    'the API server to answer',
    async () =>
      (await client.http.request('version', 'GET', '/version', { timeoutMs: 1000 }).then(
        () => true,
        () => false,
      )) || undefined,
    60000,
  );
  return Date.now();
};

/** Writes a change (retrying while the webhook or the API server cannot decide yet); gives when it was stored and the CR patched. */
const changeAndApply = async (): Promise<{ stored: number; applied: number }> => {
  const value = nextValue();
  const want = (JSON.parse(value) as Record<string, number>)['parallelMigrationsPerCluster'];
  const tally = new ChangeTally();
  await until(
    'the change to be admitted',
    async () => (await client.tryChange(value, tally, 2000)) === 'admitted' || undefined,
    30000,
  );
  const stored = Date.now();
  await until(
    'the controller to apply it',
    async () => (await client.migrationsBlock())?.['parallelMigrationsPerCluster'] === want || undefined,
    30000,
  );
  return { stored, applied: Date.now() };
};

/** Attempts changes one after another until `end`, each with a short timeout, into `tally`. */
const attemptUntil = async (end: number, tally: ChangeTally): Promise<void> => {
  while (Date.now() < end) await client.tryChange(nextValue(), tally, 1500);
};

describe('fault: API server killed and restarted on the same port', () => {
  it('admits no change while a migration is in progress, from the first answer after the restart', async () => {
    const tally = new ChangeTally();
    const firstBusyMs: number[] = [];
    for (let round = 0; round < 3; round++) {
      await cp.stopApiserver();
      await sleep(3000);
      await cp.startApiserver();
      const ready = Date.now();
      const name = `restart-${round}`;
      await client.createMigration(ns, name, 'Running');
      let first: number | undefined;
      while (Date.now() - ready < 10000) {
        if ((await client.tryChange(nextValue(), tally)) === 'busy') first ??= Date.now() - ready;
      }
      firstBusyMs.push(first ?? Number.NaN);
      await client.setPhase(ns, name, 'Succeeded');
    }
    console.log(
      `API server restart x3, a Running migration created at /readyz: ${tally}; first "in progress" denial after /readyz ${firstBusyMs.map((ms) => `${ms} ms`).join(', ')}`,
    );
    expect(tally.others).toEqual([]);
    expect(tally.counts.admitted).toBe(0);
    expect(tally.counts.busy).toBeGreaterThan(0);
  });
});

describe.each<[string, () => number | undefined]>([
  ['the API server', () => cp.apiserverPid()],
  ['etcd', () => cp.etcdPid()],
])('fault: %s paused (SIGSTOP) for 8 s', (what, pidOf) => {
  it('the controller applies a change within 2 s once the API server answers again', async () => {
    const pid = pidOf() ?? 0;
    process.kill(pid, 'SIGSTOP');
    await sleep(PAUSE_MS);
    process.kill(pid, 'SIGCONT');
    const back = await answering();
    const { stored, applied } = await changeAndApply();
    console.log(
      `${what} paused ${PAUSE_MS / 1000} s: a change stored ${stored - back} ms after the API server answered again, applied to the CR ${applied - stored} ms after that`,
    );
    expect(applied - stored).toBeLessThan(2000);
  });

  it('admits no change while a migration is in progress, during the pause and after it', async () => {
    const name = `paused-${what === 'etcd' ? 'etcd' : 'apiserver'}`;
    await client.createMigration(ns, name, 'Running');
    const before = new ChangeTally();
    await until(
      'the webhook to see the migration',
      async () => (await client.tryChange(nextValue(), before)) === 'busy' || undefined,
    );
    const pid = pidOf() ?? 0;
    const during = new ChangeTally();
    process.kill(pid, 'SIGSTOP');
    try {
      await attemptUntil(Date.now() + PAUSE_MS, during);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const after = new ChangeTally();
    await attemptUntil(Date.now() + 5000, after);
    await client.setPhase(ns, name, 'Succeeded');
    console.log(`${what} paused with a migration Running: during the pause ${during}; in the 5 s after ${after}`);
    expect([...before.others, ...during.others, ...after.others]).toEqual([]);
    expect(before.counts.admitted + during.counts.admitted + after.counts.admitted).toBe(0);
    expect(after.counts.busy).toBeGreaterThan(0);
  });
});

describe('fault: migrations changing phase while changes are attempted', () => {
  it('admits no change while a migration was in progress for the whole of the request', async () => {
    /** When each migration was in progress: from its creation's answer to the sending of its end. */
    const spans: { name: string; from: number; until: number }[] = [];
    let seed = 7;
    const random = (lo: number, hi: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return lo + (seed % (hi - lo));
    };
    const end = Date.now() + 20000;
    const churn = async (worker: number): Promise<void> => {
      for (let i = 0; Date.now() < end; i++) {
        const name = `churn-${worker}-${i}`;
        await client.createMigration(ns, name, 'Pending');
        const span = { name, from: Date.now(), until: Number.POSITIVE_INFINITY };
        spans.push(span);
        for (const phase of ['Scheduling', 'Scheduled', 'PreparingTarget', 'TargetReady', 'Running']) {
          await sleep(random(20, 150));
          await client.setPhase(ns, name, phase);
        }
        await sleep(random(50, 300));
        span.until = Date.now();
        await client.setPhase(ns, name, i % 4 === 3 ? 'Failed' : 'Succeeded');
        await sleep(random(300, 900));
        await client.deleteMigration(ns, name);
      }
    };
    const tally = new ChangeTally();
    const violations: string[] = [];
    const attempt = async (): Promise<void> => {
      while (Date.now() < end) {
        const sent = Date.now();
        if ((await client.tryChange(nextValue(), tally)) !== 'admitted') continue;
        const answered = Date.now();
        for (const s of spans)
          if (s.from <= sent && s.until >= answered)
            violations.push(`admitted during ${s.name} (${sent}..${answered})`);
      }
    };
    await Promise.all([churn(0), churn(1), attempt()]);
    console.log(
      `migration churn for 20 s (${spans.length} migrations through 7 phases): ${tally}; admitted while one was in progress throughout: ${violations.length}`,
    );
    expect(tally.others).toEqual([]);
    expect(violations).toEqual([]);
    expect(tally.counts.busy).toBeGreaterThan(0);
    expect(tally.counts.admitted).toBeGreaterThan(0);
  });
});

describe('fault: the webhook killed and started again', () => {
  it('while it is down every change is refused (failurePolicy Fail); once it is back, changes are decided again', async () => {
    webhook.kill('SIGKILL');
    const down = new ChangeTally();
    for (let i = 0; i < 20; i++) await client.tryChange(nextValue(), down);
    const restarted = Date.now();
    webhook = await cluster.webhook('webhook-2.log');
    const back = Date.now() - restarted;
    await client.setValue(nextValue());
    console.log(`webhook killed: while down ${down}; answering again ${back} ms after its start`);
    expect(down.counts.admitted).toBe(0);
    expect(down.counts.unavailable).toBe(20);
  });
});
