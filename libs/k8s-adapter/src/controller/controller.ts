import {
  KUBEVIRT_NAME,
  KUBEVIRT_NAMESPACE,
  type Notice,
  type Operation,
  SETTING_NAME,
  type SupportedOptions,
} from '@kubevirt-migration/migration-policy';
import { errorMessage } from '@kubevirt-migration/service';

import { KubeClient, type KubeObject } from '../client/client.js';
import { isKind } from '../client/errors.js';
import type { KubeHttp } from '../client/http.js';
import { KUBEVIRTS, SETTINGS } from '../client/kinds.js';
import { type CacheOptions, InformerCache } from '../informer/cache.js';
import { SupportedOptionsWatch } from '../informer/watches.js';
import { type Clock, systemClock } from '../runtime/clock.js';
import { WorkQueue } from '../runtime/workqueue.js';
import { apiEventSink, EventRecorder } from './events.js';
import { reconcile, type ReconcileOutcome } from './reconcile.js';

/** What a pass reads from caches (kept by informers, or a fake in unit specs). */
export interface ControllerCaches {
  readonly setting: () => KubeObject | undefined;
  readonly kubevirt: () => KubeObject | undefined;
  readonly supportedOptions: () => SupportedOptions;
}

/** What a pass writes with, and reads fresh from after a conflict. */
export interface ControllerClient {
  readonly getSetting: () => Promise<KubeObject | undefined>;
  readonly getKubeVirt: () => Promise<KubeObject | undefined>;
  readonly patchKubeVirt: (ops: readonly Operation[]) => Promise<KubeObject>;
  readonly patchSetting: (ops: readonly Operation[]) => Promise<KubeObject>;
  readonly event: (setting: unknown, notice: Notice) => Promise<void>;
}

export interface ControllerOptions {
  /** Whether this replica may write now (fenced leadership); a non-leader drops its work. */
  readonly mayWrite: () => boolean;
  readonly onOutcome?: (outcome: ReconcileOutcome, seconds: number) => void;
  readonly onError?: (message: string, retryInMs: number) => void;
  readonly onEventError?: (notice: Notice, message: string) => void;
  /** Re-plan every so often even without events (level-based safety net). */
  readonly resyncMs?: number;
  readonly clock?: Clock;
  /** For the jitter of conflict retries; Math.random by default. */
  readonly random?: () => number;
}

/** How long a pass waits for the caches to deliver our own write before it reads them anyway. */
export const EXPECTATION_MS = 5000;
/** Backoff of a pass that failed: from 200 ms, doubling, to 30 s ... */
const BACKOFF = { baseDelayMs: 200, maxDelayMs: 30000 };
/** ... but at most 1 s while the API server is unavailable, so that a pass follows it back at once. */
const UNAVAILABLE_MAX_MS = 1000;
/** Conflict retries wait a random time below min(10 ms · 2^n, 500 ms): contention, not an error. */
const conflictDelay = (n: number, random: () => number): number => Math.floor(random() * Math.min(10 * 2 ** n, 500));

type Which = 'setting' | 'kubevirt';

const resourceVersion = (obj: KubeObject | undefined): string | undefined => {
  const rv = (obj?.['metadata'] as { resourceVersion?: unknown } | undefined)?.resourceVersion;
  return typeof rv === 'string' ? rv : undefined;
};

/**
 * The controller's loop, with its clients injected: the caches feed one key into a deduplicating
 * queue; each pass reads the caches (or, after a conflict, the API server) and calls `reconcile`.
 * A conflict is retried from fresh reads after a short random wait and never counts as an error;
 * other failures retry with capped backoff; an invalid setting waits for the next change.
 */
export class ControllerLoop {
  readonly queue: WorkQueue;
  private readonly clock: Clock;
  private readonly random: () => number;
  private conflicts = 0;
  /**
   * Our own writes that the caches have not delivered yet (resourceVersion and when). A pass from
   * caches that lag behind our own write would plan from stale state and fail its guard; it waits
   * instead, since the write's watch event enqueues the key again.
   */
  private readonly expected = new Map<Which, { readonly rv: string; readonly at: number }>();
  private cancelResync: (() => void) | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly caches: ControllerCaches,
    private readonly client: ControllerClient,
    private readonly o: ControllerOptions,
  ) {
    this.clock = o.clock ?? systemClock;
    this.random = o.random ?? Math.random;
    this.queue = new WorkQueue({ ...BACKOFF, clock: this.clock });
  }

  /** The caches delivered an object (or a change of the KubeVirt CRD): plan again. */
  observed(which: Which | 'crd', obj?: KubeObject): void {
    if (which !== 'crd' && this.expected.get(which)?.rv === resourceVersion(obj)) this.expected.delete(which);
    this.enqueue();
  }

  enqueue(): void {
    this.queue.add(SETTING_NAME);
  }

  private expect(which: Which, written: KubeObject): KubeObject {
    const rv = resourceVersion(written);
    // the watch event may have arrived before the response did
    const cached = which === 'setting' ? this.caches.setting() : this.caches.kubevirt();
    if (rv !== undefined && resourceVersion(cached) !== rv) this.expected.set(which, { rv, at: this.clock.now() });
    return written;
  }

  /** True while a write of ours is not yet in the caches (for at most EXPECTATION_MS). */
  private awaitingOwnWrite(): boolean {
    for (const [which, e] of this.expected) if (this.clock.now() - e.at >= EXPECTATION_MS) this.expected.delete(which);
    return this.expected.size > 0;
  }

  /** One pass for `key`, with its retry decided; what the queue's worker runs. */
  async work(key: string): Promise<void> {
    if (!this.o.mayWrite()) return;
    if (this.conflicts === 0 && this.awaitingOwnWrite()) {
      this.queue.addAfter(key, EXPECTATION_MS);
      return;
    }
    const fresh = this.conflicts > 0;
    const started = this.clock.now();
    try {
      const outcome = await reconcile({
        setting: async () => (fresh ? this.client.getSetting() : this.caches.setting()),
        kubevirt: async () => (fresh ? this.client.getKubeVirt() : this.caches.kubevirt()),
        supportedOptions: this.caches.supportedOptions,
        patchKubeVirt: async (ops) => this.expect('kubevirt', await this.client.patchKubeVirt(ops)),
        patchSetting: async (ops) => this.expect('setting', await this.client.patchSetting(ops)),
        event: this.client.event,
        now: this.clock.date,
        mayWrite: this.o.mayWrite,
        onEventError: (notice, e) => this.o.onEventError?.(notice, errorMessage(e)),
      });
      this.o.onOutcome?.(outcome, (this.clock.now() - started) / 1000);
      if (outcome === 'Conflict') {
        this.conflicts++;
        this.queue.addAfter(key, conflictDelay(this.conflicts, this.random));
        return;
      }
      this.conflicts = 0;
      this.queue.forget(key);
    } catch (e) {
      this.conflicts = 0;
      const unavailable = isKind(e, 'Unavailable');
      const delay =
        unavailable && e.retryAfterMs !== undefined
          ? e.retryAfterMs
          : this.queue.backoff(key, unavailable ? UNAVAILABLE_MAX_MS : undefined);
      this.queue.addAfter(key, delay);
      this.o.onError?.(errorMessage(e), delay);
    }
  }

  /** Starts the worker (and the resync) with one pass queued. */
  start(): void {
    this.running ??= this.queue.run((key) => this.work(key));
    if (this.o.resyncMs !== undefined) {
      const every = this.o.resyncMs;
      const tick = () => {
        this.enqueue();
        this.cancelResync = this.clock.after(every, tick);
      };
      this.cancelResync = this.clock.after(every, tick);
    }
    this.enqueue();
  }

  async stop(): Promise<void> {
    this.cancelResync?.();
    this.queue.shutdown();
    await this.running;
  }
}

export interface MigrationControllerOptions extends ControllerOptions {
  readonly fieldManager: string;
  readonly onCacheError?: CacheOptions<unknown>['onError'];
}

/**
 * The controller wired to a cluster: informer caches of the Setting, the KubeVirt CR and the
 * KubeVirt CRD (each change of any of them enqueues a pass), a client that writes with the field
 * manager, and events on the Setting.
 */
export class MigrationController {
  readonly settingCache: InformerCache<KubeObject>;
  readonly kubevirtCache: InformerCache<KubeObject>;
  readonly crd: SupportedOptionsWatch;
  readonly loop: ControllerLoop;

  constructor(http: KubeHttp, o: MigrationControllerOptions) {
    const onError = o.onCacheError === undefined ? {} : { onError: o.onCacheError };
    const seen = (which: Which) => (obj: KubeObject) => this.loop.observed(which, obj);
    const whole = (obj: KubeObject): KubeObject => obj;
    this.settingCache = new InformerCache(http, SETTINGS, {
      name: SETTING_NAME,
      transform: whole,
      onChange: seen('setting'),
      ...onError,
    });
    this.kubevirtCache = new InformerCache(http, KUBEVIRTS, {
      namespace: KUBEVIRT_NAMESPACE,
      name: KUBEVIRT_NAME,
      transform: whole,
      onChange: seen('kubevirt'),
      ...onError,
    });
    this.crd = new SupportedOptionsWatch(http, { onChange: () => this.loop.observed('crd'), ...onError });
    const client = new KubeClient(http, o.fieldManager);
    const recorder = new EventRecorder(apiEventSink(http), { component: o.fieldManager });
    this.loop = new ControllerLoop(
      {
        setting: () => this.settingCache.get(SETTING_NAME),
        kubevirt: () => this.kubevirtCache.get(KUBEVIRT_NAME, KUBEVIRT_NAMESPACE),
        supportedOptions: () => this.crd.options,
      },
      {
        getSetting: () => client.getSetting(SETTING_NAME),
        getKubeVirt: () => client.getKubeVirt(),
        patchKubeVirt: (ops) => client.patchKubeVirt(ops),
        patchSetting: (ops) => client.patchSetting(SETTING_NAME, ops),
        event: async (setting, notice) => {
          await recorder.record(SETTINGS, setting, notice);
        },
      },
      o,
    );
  }

  get synced(): boolean {
    return this.settingCache.synced && this.kubevirtCache.synced && this.crd.cache.synced;
  }

  /** Starts the caches and the worker; resolves once the caches have synced. */
  async start(): Promise<void> {
    await Promise.all([this.settingCache.start(), this.kubevirtCache.start(), this.crd.cache.start()]);
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await Promise.all([this.settingCache.stop(), this.kubevirtCache.stop(), this.crd.cache.stop()]);
  }
}
