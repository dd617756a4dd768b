import type { KubeConfig } from '@kubernetes/client-node';
import { SETTING_NAME } from '@kubevirt-migration/migration-policy';
import { InformerCache, type CacheOptions } from './cache.js';
import { KubeClient } from './client.js';
import { errorMessage } from './errors.js';
import { EventRecorder } from './events.js';
import { KUBEVIRT_NAME, KUBEVIRT_NAMESPACE, KUBEVIRTS, SETTINGS } from './kinds.js';
import { reconcile, type ReconcileDeps, type ReconcileOutcome } from './reconcile.js';
import { SupportedOptionsWatch } from './watches.js';
import { WorkQueue } from './workqueue.js';

export interface ControllerOptions {
  readonly fieldManager: string;
  /** Whether this replica may write now (leader election); a non-leader drops its work. */
  readonly mayWrite: () => boolean;
  readonly onOutcome?: (outcome: ReconcileOutcome, seconds: number) => void;
  readonly onError?: (message: string, retryInMs: number) => void;
  readonly onCacheError?: CacheOptions['onError'];
  /** Re-plan every so often even without events (level-based safety net). */
  readonly resyncMs?: number;
}

/** How long a pass waits for the caches to deliver our own write before it reads them anyway. */
const EXPECTATION_MS = 5000;

const resourceVersion = (obj: Record<string, unknown>): string | undefined => {
  const rv = (obj['metadata'] as { resourceVersion?: unknown } | undefined)?.resourceVersion;
  return typeof rv === 'string' ? rv : undefined;
};

/** Conflicts in a row after which the pass counts as failing (a 422 that is not a stale guard). */
const MAX_CONFLICTS = 5;

/**
 * The controller's loop: caches of the Setting, the KubeVirt CR and its CRD feed one key into a
 * deduplicating queue; each pass reads the caches (or, after a conflict, the API server) and
 * calls `reconcile`. Transient errors retry with capped backoff; an invalid setting waits for the
 * next change.
 */
export class MigrationController {
  readonly settingCache: InformerCache;
  readonly kubevirtCache: InformerCache;
  readonly crd: SupportedOptionsWatch;
  readonly queue = new WorkQueue({ baseDelayMs: 200, maxDelayMs: 30000 });
  private readonly client: KubeClient;
  private readonly recorder: EventRecorder;
  private conflicts = 0;
  /**
   * Our own writes that the caches have not delivered yet (resourceVersion by object). A pass from
   * caches that lag behind our own write would plan from stale state and fail its guard; it is
   * skipped instead, since the write's watch event enqueues the key again.
   */
  private readonly expected = new Map<'setting' | 'kubevirt', { readonly rv: string; readonly at: number }>();
  private resync: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    config: KubeConfig,
    private readonly o: ControllerOptions,
  ) {
    const seen = (which: 'setting' | 'kubevirt') => (obj: Record<string, unknown>) => {
      if (this.expected.get(which)?.rv === resourceVersion(obj)) this.expected.delete(which);
      this.enqueue();
    };
    const onError = o.onCacheError;
    this.settingCache = new InformerCache(config, SETTINGS, { name: SETTING_NAME, clusterScoped: true, onChange: seen('setting'), ...(onError ? { onError } : {}) });
    this.kubevirtCache = new InformerCache(config, KUBEVIRTS, { namespace: KUBEVIRT_NAMESPACE, name: KUBEVIRT_NAME, onChange: seen('kubevirt'), ...(onError ? { onError } : {}) });
    this.crd = new SupportedOptionsWatch(config, onError);
    this.client = new KubeClient(config, o.fieldManager);
    this.recorder = new EventRecorder(config, o.fieldManager);
  }

  get synced(): boolean {
    return this.settingCache.synced && this.kubevirtCache.synced && this.crd.cache.synced;
  }

  enqueue(): void {
    this.queue.add(SETTING_NAME);
  }

  /** Reads for one pass: the caches, or the API server itself right after a conflict. */
  deps(fresh: boolean): ReconcileDeps {
    return {
      setting: async () => (fresh ? this.client.getSetting(SETTING_NAME) : this.settingCache.get(SETTING_NAME)),
      kubevirt: async () => (fresh ? this.client.getKubeVirt() : this.kubevirtCache.get(KUBEVIRT_NAME, KUBEVIRT_NAMESPACE)),
      supportedOptions: () => this.crd.options,
      patchKubeVirt: async (ops) => this.expect('kubevirt', await this.client.patchKubeVirt(ops)),
      patchSetting: async (ops) => this.expect('setting', await this.client.patchSetting(SETTING_NAME, ops)),
      event: async (setting, notice) => {
        const meta = (setting as { metadata?: { uid?: string } } | undefined)?.metadata;
        await this.recorder.record({ apiVersion: `${SETTINGS.group}/${SETTINGS.version}`, kind: SETTINGS.kind, name: SETTING_NAME, ...(meta?.uid ? { uid: meta.uid } : {}) }, notice);
      },
      now: () => new Date(),
    };
  }

  private expect(which: 'setting' | 'kubevirt', written: Record<string, unknown>): Record<string, unknown> {
    const rv = resourceVersion(written);
    // the watch event may have arrived before the response did
    const cached = which === 'setting' ? this.settingCache.get(SETTING_NAME) : this.kubevirtCache.get(KUBEVIRT_NAME, KUBEVIRT_NAMESPACE);
    if (rv !== undefined && (cached === undefined || resourceVersion(cached) !== rv)) this.expected.set(which, { rv, at: Date.now() });
    return written;
  }

  /** True while a write of ours is not yet in the caches (for at most EXPECTATION_MS). */
  private awaitingOwnWrite(): boolean {
    for (const [which, e] of this.expected) if (Date.now() - e.at > EXPECTATION_MS) this.expected.delete(which);
    return this.expected.size > 0;
  }

  private async work(key: string): Promise<void> {
    if (!this.o.mayWrite()) return;
    if (this.conflicts === 0 && this.awaitingOwnWrite()) {
      // the watch event of our write re-enqueues the key; the timeout makes sure of it
      this.queue.addAfter(key, EXPECTATION_MS);
      return;
    }
    const started = performance.now();
    try {
      const outcome = await reconcile(this.deps(this.conflicts > 0));
      this.o.onOutcome?.(outcome, (performance.now() - started) / 1000);
      if (outcome === 'Conflict') {
        this.conflicts++;
        if (this.conflicts > MAX_CONFLICTS) throw new Error(`${MAX_CONFLICTS} conflicts in a row: the API server keeps refusing the planned patch`);
        this.queue.add(key);
        return;
      }
      this.conflicts = 0;
      this.queue.forget(key);
    } catch (e) {
      this.conflicts = 0;
      const delay = this.queue.addRateLimited(key);
      this.o.onError?.(errorMessage(e), delay);
    }
  }

  /** Starts the caches and the worker; resolves once the caches have synced. */
  async start(): Promise<void> {
    await Promise.all([this.settingCache.start(), this.kubevirtCache.start(), this.crd.cache.start()]);
    this.running = this.queue.run((key) => this.work(key));
    if (this.o.resyncMs !== undefined) this.resync = setInterval(() => this.enqueue(), this.o.resyncMs);
    this.enqueue();
  }

  async stop(): Promise<void> {
    if (this.resync !== undefined) clearInterval(this.resync);
    this.queue.shutdown();
    await this.running;
    await Promise.all([this.settingCache.stop(), this.kubevirtCache.stop(), this.crd.cache.stop()]);
  }
}
