import { AdapterError } from '../client/errors.js';
import { ManualClock } from '../testing/manual-clock.js';
import { LeaderElector, type LeaseRecord, type LeaseStore } from './leader.js';

/** One Lease in memory with optimistic concurrency, as the API server keeps it. */
class MemoryLease {
  record: LeaseRecord | undefined;
  private rv = 0;

  /**
   * One replica's connection to the Lease: its calls can be made to fail, to hang, or to wait
   * until released (a paused API server that answers when it resumes).
   */
  connect(): LeaseStore & { failing: boolean; hanging: boolean; held: Promise<void> | undefined } {
    const conn = {
      failing: false,
      hanging: false,
      held: undefined as Promise<void> | undefined,
      get: async () => {
        await gate();
        return this.record === undefined ? undefined : { record: this.record, resourceVersion: String(this.rv) };
      },
      create: async (record: LeaseRecord) => {
        await gate();
        if (this.record !== undefined)
          throw new AdapterError('AlreadyExists', 'create Lease: already exists', {
            status: 409,
            reason: 'AlreadyExists',
          });
        this.record = record;
        this.rv++;
      },
      update: async (record: LeaseRecord, resourceVersion: string) => {
        await gate();
        if (resourceVersion !== String(this.rv))
          throw new AdapterError('Conflict', 'update Lease: modified', { status: 409, reason: 'Conflict' });
        this.record = record;
        this.rv++;
      },
    };
    const gate = async (): Promise<void> => {
      if (conn.hanging) await new Promise(() => undefined);
      if (conn.held !== undefined) await conn.held;
      if (conn.failing) throw new AdapterError('Unavailable', 'Lease: API server unreachable (ECONNREFUSED)');
    };
    return conn;
  }
}

const TIMING = { leaseDurationMs: 15000, renewDeadlineMs: 10000, retryPeriodMs: 2000 };

const candidate = (lease: MemoryLease, clock: ManualClock, identity: string) => {
  const events: string[] = [];
  const conn = lease.connect();
  const elector = new LeaderElector(conn, {
    identity,
    ...TIMING,
    clock,
    onStartedLeading: () => events.push(`${identity} leads`),
    onStoppedLeading: () => events.push(`${identity} stopped`),
  });
  return { elector, events, conn };
};

/** A fresh lease and clock, and candidate `a` started and leading. */
const aLeading = async () => {
  const lease = new MemoryLease();
  const clock = new ManualClock();
  const a = candidate(lease, clock, 'a');
  a.elector.start();
  await clock.advance(0);
  return { lease, clock, a };
};

describe('leader election', () => {
  it('takes a free lease, renews it every retry period, and may write meanwhile', async () => {
    const { lease, clock, a } = await aLeading();
    expect(a.events).toEqual(['a leads']);
    expect(lease.record).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 0 });
    expect(a.elector.mayWrite()).toBe(true);
    const firstRenew = lease.record?.renewTime;
    await clock.advance(60000);
    expect(lease.record?.renewTime).not.toBe(firstRenew);
    expect(a.elector.mayWrite()).toBe(true);
    expect(a.events).toEqual(['a leads']);
    await a.elector.stop();
  });

  it('a second candidate waits while the holder renews, and takes over once the record is unchanged for a lease duration', async () => {
    const { lease, clock, a } = await aLeading();
    const b = candidate(lease, clock, 'b');
    b.elector.start();
    await clock.advance(30000);
    expect(b.events).toEqual([]);
    expect(b.elector.mayWrite()).toBe(false);
    // a is cut off without releasing: its record stops changing
    a.conn.hanging = true;
    const stuck = lease.record;
    await clock.advance(14000);
    expect(lease.record).toBe(stuck);
    expect(b.events).toEqual([]);
    await clock.advance(4000);
    expect(b.events).toEqual(['b leads']);
    expect(lease.record).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    await b.elector.stop();
  });

  it('fenced: a leader whose renewals fail stops writing at the renew deadline, before the lease expires, and steps down', async () => {
    const { clock, a } = await aLeading();
    a.conn.failing = true;
    await clock.advance(9999);
    expect(a.elector.mayWrite()).toBe(true);
    await clock.advance(1);
    expect(a.elector.mayWrite()).toBe(false);
    await clock.advance(2000);
    expect(a.events).toEqual(['a leads', 'a stopped']);
    // it campaigns again and leads once the API server answers
    a.conn.failing = false;
    await clock.advance(2000);
    expect(a.events).toEqual(['a leads', 'a stopped', 'a leads']);
    expect(a.elector.mayWrite()).toBe(true);
    await a.elector.stop();
  });

  it('fenced: a renewal that hangs (API server paused) does not keep the leader writing past the renew deadline', async () => {
    const { clock, a } = await aLeading();
    a.conn.hanging = true;
    await clock.advance(10000);
    expect(a.elector.mayWrite()).toBe(false);
    await clock.advance(0);
    expect(a.events).toEqual(['a leads', 'a stopped']);
  });

  it('fenced: an acquisition answered only after the renew deadline (API server paused meanwhile) does not make a leader; the next one does', async () => {
    const { clock, a } = await aLeading();
    a.conn.failing = true;
    await clock.advance(12000);
    expect(a.events).toEqual(['a leads', 'a stopped']);
    // its next attempt to lead is sent, and the API server stops answering for longer than the renew deadline
    a.conn.failing = false;
    let resume = (): void => undefined;
    a.conn.held = new Promise((r) => (resume = r));
    await clock.advance(20000);
    // the API server answers the calls sent long ago: too old to act on
    a.conn.held = undefined;
    resume();
    await clock.advance(0);
    expect(a.elector.mayWrite()).toBe(false);
    expect(a.events).toEqual(['a leads', 'a stopped']);
    await clock.advance(2000);
    expect(a.events).toEqual(['a leads', 'a stopped', 'a leads']);
    expect(a.elector.mayWrite()).toBe(true);
    await a.elector.stop();
  });

  it('fenced: a leader paused longer than its lease may not write the moment it resumes', async () => {
    const lease = new MemoryLease();
    const clock = new ManualClock();
    const a = candidate(lease, clock, 'a');
    a.elector.start();
    await clock.advance(5000);
    expect(a.elector.mayWrite()).toBe(true);
    clock.jump(16000);
    expect(a.elector.mayWrite()).toBe(false);
    await a.elector.stop();
  });

  it('stop releases the lease (holder cleared) so that another candidate takes it at once', async () => {
    const { lease, clock, a } = await aLeading();
    const b = candidate(lease, clock, 'b');
    b.elector.start();
    await clock.advance(100);
    const stopping = a.elector.stop();
    await clock.advance(2000);
    await stopping;
    expect(a.elector.mayWrite()).toBe(false);
    await clock.advance(2000);
    expect(b.events).toEqual(['b leads']);
    await b.elector.stop();
  });

  it('two candidates racing for a free lease: exactly one leads', async () => {
    const lease = new MemoryLease();
    const clock = new ManualClock();
    const a = candidate(lease, clock, 'a');
    const b = candidate(lease, clock, 'b');
    a.elector.start();
    b.elector.start();
    await clock.advance(20000);
    expect([...a.events, ...b.events]).toHaveLength(1);
    expect([a.elector.mayWrite(), b.elector.mayWrite()].filter(Boolean)).toHaveLength(1);
  });

  it('refuses a renew deadline that is not shorter than the lease duration', () => {
    expect(
      () =>
        new LeaderElector(new MemoryLease().connect(), {
          ...TIMING,
          renewDeadlineMs: 15000,
          identity: 'a',
          onStartedLeading: () => undefined,
          onStoppedLeading: () => undefined,
        }),
    ).toThrow(/renew deadline must be shorter/);
  });
});
