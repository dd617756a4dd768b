import { errorMessage } from '@kubevirt-migration/service';

import { isKind, orAbsent } from '../client/errors.js';
import type { KubeHttp } from '../client/http.js';
import { collectionPath, LEASES, objectPath } from '../client/kinds.js';
import { type Clock, systemClock } from '../runtime/clock.js';

/** The spec of a coordination.k8s.io/v1 Lease, as leader election reads and writes it. */
export interface LeaseRecord {
  readonly holderIdentity?: string;
  readonly leaseDurationSeconds?: number;
  readonly acquireTime?: string;
  readonly renewTime?: string;
  readonly leaseTransitions?: number;
}

/** Reads and writes one Lease; writes are optimistic (resourceVersion), errors are AdapterErrors. */
export interface LeaseStore {
  readonly get: () => Promise<{ readonly record: LeaseRecord; readonly resourceVersion: string } | undefined>;
  /** Fails with AlreadyExists when another candidate created it first. */
  readonly create: (record: LeaseRecord) => Promise<void>;
  /** Fails with Conflict when the Lease changed since it was read. */
  readonly update: (record: LeaseRecord, resourceVersion: string) => Promise<void>;
}

export interface LeaderElectionOptions {
  /** Unique per process (for example host name and PID). */
  readonly identity: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  readonly onStartedLeading: () => void;
  readonly onStoppedLeading: () => void;
  readonly onError?: (message: string) => void;
  readonly clock?: Clock;
}

/** metav1.MicroTime: RFC 3339 with exactly six fractional digits. */
const microTime = (d: Date): string => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/**
 * Leader election on a Lease, as client-go does it: a candidate takes the lease when it is free or
 * when its record has not changed for a lease duration (measured on the candidate's own clock, so
 * clock skew does not matter), the leader renews it every retry period, and a leader that cannot
 * renew within the renew deadline stops leading. Stopping releases the lease so that another
 * candidate takes over at once.
 *
 * Fencing: `mayWrite()` is true only while the last successful renewal was *sent* less than the
 * renew deadline ago. The deadline is shorter than the lease duration, so a leader that was paused
 * or cut off stops writing before any other candidate can take the lease, without waiting for its
 * own loop to notice.
 */
export class LeaderElector {
  private leading = false;
  private stopped = false;
  /** When the request of the last successful acquire or renew was sent (clock.now()). */
  private renewedAt = Number.NEGATIVE_INFINITY;
  private observed: { record: string; at: number } | undefined;
  private loop: Promise<void> | undefined;
  private readonly clock: Clock;
  /** Resolves when stop() is called: no sleep or hanging request keeps the loop from ending. */
  private readonly stopping: Promise<false>;
  private signalStop: () => void = () => undefined;

  constructor(
    private readonly store: LeaseStore,
    private readonly o: LeaderElectionOptions,
  ) {
    this.clock = o.clock ?? systemClock;
    this.stopping = new Promise((resolve) => (this.signalStop = () => resolve(false)));
    if (o.renewDeadlineMs >= o.leaseDurationMs)
      throw new Error('the renew deadline must be shorter than the lease duration');
  }

  /** True while this replica leads and renewed its lease within the renew deadline. */
  mayWrite(): boolean {
    return this.leading && !this.stopped && this.clock.now() - this.renewedAt < this.o.renewDeadlineMs;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Waits `ms`, or less when stop() is called. */
  private pause(ms: number): Promise<unknown> {
    return Promise.race([this.clock.sleep(ms), this.stopping]);
  }

  /** One try, given up when stop() is called. */
  private attempt(): Promise<boolean> {
    return Promise.race([this.tryAcquireOrRenew(), this.stopping]);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      while (!this.stopped && !(await this.attempt())) await this.pause(this.o.retryPeriodMs);
      if (this.stopped) return;
      this.leading = true;
      this.o.onStartedLeading();
      await this.renewUntilLost();
      if (this.stopped) return;
      this.leading = false;
      this.o.onStoppedLeading();
    }
  }

  /** Renews every retry period; returns once a renewal could not be made within the renew deadline. */
  private async renewUntilLost(): Promise<void> {
    while (!this.stopped) {
      await this.pause(this.o.retryPeriodMs);
      if (this.stopped) return;
      const left = this.renewedAt + this.o.renewDeadlineMs - this.clock.now();
      // a renewal that hangs (API server paused) must not keep a deposed leader leading
      const renewed = left > 0 && (await Promise.race([this.attempt(), this.clock.sleep(left).then(() => false)]));
      if (!renewed && this.clock.now() - this.renewedAt >= this.o.renewDeadlineMs) return;
    }
  }

  private mine(current: LeaseRecord | undefined, now: Date): LeaseRecord {
    const held = current?.holderIdentity === this.o.identity;
    return {
      holderIdentity: this.o.identity,
      leaseDurationSeconds: Math.ceil(this.o.leaseDurationMs / 1000),
      acquireTime: held ? (current?.acquireTime ?? microTime(now)) : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: (current?.leaseTransitions ?? 0) + (held || current === undefined ? 0 : 1),
    };
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const sentAt = this.clock.now();
    try {
      const lease = await this.store.get();
      if (lease === undefined) {
        await this.store.create(this.mine(undefined, this.clock.date()));
      } else {
        const spec = lease.record;
        const record = JSON.stringify([spec.holderIdentity, spec.renewTime, spec.leaseDurationSeconds]);
        if (this.observed?.record !== record) this.observed = { record, at: this.clock.now() };
        const holder = spec.holderIdentity ?? '';
        const expired = this.clock.now() - this.observed.at > (spec.leaseDurationSeconds ?? 0) * 1000;
        if (holder !== '' && holder !== this.o.identity && !expired) return false;
        await this.store.update(this.mine(spec, this.clock.date()), lease.resourceVersion);
      }
      if (this.stopped) return false;
      // answered after the renew deadline (the API server was paused meanwhile): the lease as written
      // is already too old to act on; the next try writes a current one
      if (this.clock.now() - sentAt >= this.o.renewDeadlineMs) return false;
      this.renewedAt = sentAt;
      return true;
    } catch (e) {
      if (!isKind(e, 'Conflict', 'AlreadyExists')) this.o.onError?.(errorMessage(e));
      return false;
    }
  }

  /** Stops campaigning; a leader releases the lease (holder cleared) so that another takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.signalStop();
    await this.loop;
    if (!this.leading) return;
    this.leading = false;
    try {
      const lease = await this.store.get();
      if (lease === undefined || lease.record.holderIdentity !== this.o.identity) return;
      await this.store.update(
        { ...lease.record, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(this.clock.date()) },
        lease.resourceVersion,
      );
    } catch (e) {
      this.o.onError?.(`release the lease: ${errorMessage(e)}`);
    }
  }
}

/** The Lease `namespace/name` in the API server. */
export const apiLeaseStore = (http: KubeHttp, namespace: string, name: string): LeaseStore => {
  const what = `Lease ${namespace}/${name}`;
  const body = (record: LeaseRecord, resourceVersion?: string) => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace, ...(resourceVersion === undefined ? {} : { resourceVersion }) },
    spec: record,
  });
  return {
    get: async () => {
      const lease = (await orAbsent(() => http.request(`get ${what}`, 'GET', objectPath(LEASES, name, namespace)))) as
        { spec?: LeaseRecord; metadata?: { resourceVersion?: string } } | undefined;
      return lease === undefined
        ? undefined
        : { record: lease.spec ?? {}, resourceVersion: lease.metadata?.resourceVersion ?? '' };
    },
    create: async (record) => {
      await http.request(`create ${what}`, 'POST', collectionPath(LEASES, namespace), { body: body(record) });
    },
    update: async (record, resourceVersion) => {
      await http.request(`update ${what}`, 'PUT', objectPath(LEASES, name, namespace), {
        body: body(record, resourceVersion),
      });
    },
  };
};
