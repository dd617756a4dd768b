import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { attempt, isAdapterError } from './errors.js';

export interface LeaderElectionOptions {
  readonly namespace: string;
  readonly name: string;
  /** Unique per process (for example host name and PID). */
  readonly identity: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  readonly onStartedLeading: () => void;
  readonly onStoppedLeading: () => void;
  readonly onError?: (message: string) => void;
}

const LEASES = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases' };

/** metav1.MicroTime: RFC 3339 with exactly six fractional digits. */
const microTime = (d: Date): string => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}
interface Lease {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: LeaseSpec;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go does it: a candidate takes the
 * lease when it is free or when its record has not changed for a lease duration (measured on the
 * candidate's own clock, so clock skew does not matter), the leader renews it every retry period,
 * and a leader that cannot renew within the renew deadline stops leading. Stopping releases the
 * lease so that another candidate takes over at once. Writes are optimistic (resourceVersion):
 * two candidates never both believe they hold it.
 */
export class LeaderElector {
  private readonly api: CustomObjectsApi;
  private leading = false;
  private stopped = false;
  private observed: { record: string; at: number } | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    config: KubeConfig,
    private readonly o: LeaderElectionOptions,
  ) {
    this.api = config.makeApiClient(CustomObjectsApi);
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.loop ??= this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      while (!this.stopped && !(await this.tryAcquireOrRenew())) await sleep(this.o.retryPeriodMs);
      if (this.stopped) return;
      this.leading = true;
      this.o.onStartedLeading();
      let lastRenew = Date.now();
      while (!this.stopped) {
        await sleep(this.o.retryPeriodMs);
        if (this.stopped) break;
        if (await this.tryAcquireOrRenew()) lastRenew = Date.now();
        else if (Date.now() - lastRenew > this.o.renewDeadlineMs) break;
      }
      if (this.stopped) return;
      this.leading = false;
      this.o.onStoppedLeading();
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const ref = { ...LEASES, namespace: this.o.namespace, name: this.o.name };
    const now = new Date();
    const mine = (spec: LeaseSpec | undefined, current?: LeaseSpec): LeaseSpec => ({
      holderIdentity: this.o.identity,
      leaseDurationSeconds: Math.ceil(this.o.leaseDurationMs / 1000),
      acquireTime: current?.holderIdentity === this.o.identity ? (current.acquireTime ?? microTime(now)) : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: (spec?.leaseTransitions ?? 0) + (current?.holderIdentity === this.o.identity ? 0 : 1),
    });
    try {
      let lease: Lease;
      try {
        lease = (await attempt(`get Lease ${this.o.name}`, () => this.api.getNamespacedCustomObject(ref))) as Lease;
      } catch (e) {
        if (!(isAdapterError(e) && e.kind === 'NotFound')) throw e;
        await attempt(`create Lease ${this.o.name}`, () =>
          this.api.createNamespacedCustomObject({
            ...LEASES,
            namespace: this.o.namespace,
            body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.o.name, namespace: this.o.namespace }, spec: { ...mine(undefined), leaseTransitions: 0 } },
          }),
        );
        return true;
      }
      const spec = lease.spec ?? {};
      const record = JSON.stringify([spec.holderIdentity, spec.renewTime, spec.leaseDurationSeconds]);
      if (this.observed?.record !== record) this.observed = { record, at: Date.now() };
      const holder = spec.holderIdentity ?? '';
      const durationMs = (spec.leaseDurationSeconds ?? 0) * 1000;
      const expired = Date.now() - this.observed.at > durationMs;
      if (holder !== '' && holder !== this.o.identity && !expired) return false;
      await attempt(`update Lease ${this.o.name}`, () =>
        this.api.replaceNamespacedCustomObject({ ...ref, body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: lease.metadata, spec: mine(spec, spec) } }),
      );
      return true;
    } catch (e) {
      if (!(isAdapterError(e) && e.kind === 'Conflict')) this.o.onError?.(isAdapterError(e) ? e.message : String(e));
      return false;
    }
  }

  /** Stops campaigning; a leader releases the lease (holder cleared) so that another takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    if (!this.leading) return;
    this.leading = false;
    const ref = { ...LEASES, namespace: this.o.namespace, name: this.o.name };
    try {
      const lease = (await this.api.getNamespacedCustomObject(ref)) as Lease;
      if (lease.spec?.holderIdentity !== this.o.identity) return;
      await this.api.replaceNamespacedCustomObject({
        ...ref,
        body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: lease.metadata, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(new Date()) } },
      });
    } catch (e) {
      this.o.onError?.(`release Lease ${this.o.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
