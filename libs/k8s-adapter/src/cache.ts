import { CustomObjectsApi, KubeConfig, ListWatch, Watch, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { collectionPath, type CustomKind } from './kinds.js';
import { toAdapterError, type AdapterError } from './errors.js';
import type { KubeObject } from './client.js';

export interface CacheOptions {
  /** Only this namespace (default: all namespaces, or cluster-scoped). */
  readonly namespace?: string;
  /** Only the object of this name (a field selector on metadata.name). */
  readonly name?: string;
  readonly clusterScoped?: boolean;
  /** Called for every add, update and delete the watch delivers (and for re-listed objects). */
  readonly onChange?: (obj: KubeObject, verb: 'add' | 'update' | 'delete') => void;
  /** Called when the list or watch fails; the cache restarts itself with backoff either way. */
  readonly onError?: (error: AdapterError, retryInMs: number) => void;
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

type Obj = KubeObject & KubernetesObject;

/**
 * An informer cache of one kind that survives errors: client-node's informer stops for good on a
 * failed list or watch, so this one starts it again with capped exponential backoff (an expired
 * resourceVersion, 410, makes client-node re-list by itself). Reads never go to the API server.
 */
export class InformerCache {
  private readonly informer: ListWatch<Obj>;
  private stopped = false;
  private isSynced = false;
  private failedSinceStart = false;
  private backoffMs: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly syncWaiters: (() => void)[] = [];
  private restarts = 0;

  constructor(
    config: KubeConfig,
    readonly kind: CustomKind,
    private readonly options: CacheOptions = {},
  ) {
    const api = config.makeApiClient(CustomObjectsApi);
    const fieldSelector = options.name === undefined ? undefined : `metadata.name=${options.name}`;
    const base = { group: kind.group, version: kind.version };
    const list = async (): Promise<KubernetesListObject<Obj>> => {
      const sel = fieldSelector === undefined ? {} : { fieldSelector };
      const result: unknown =
        options.namespace !== undefined
          ? await api.listNamespacedCustomObject({ ...base, plural: kind.plural, namespace: options.namespace, ...sel })
          : options.clusterScoped === true
            ? await api.listClusterCustomObject({ ...base, plural: kind.plural, ...sel })
            : await api.listCustomObjectForAllNamespaces({ ...base, resourcePlural: kind.plural, ...sel });
      return result as KubernetesListObject<Obj>;
    };
    this.informer = new ListWatch<Obj>(collectionPath(kind, options.namespace), new Watch(config), list, false, undefined, fieldSelector);
    this.backoffMs = options.initialBackoffMs ?? 250;
    const notify = (verb: 'add' | 'update' | 'delete') => (obj: Obj) => options.onChange?.(obj, verb);
    this.informer.on('add', notify('add'));
    this.informer.on('update', notify('update'));
    this.informer.on('delete', notify('delete'));
    this.informer.on('error', (err: unknown) => this.failed(err));
  }

  /** Starts listing and watching; resolves at the first successful sync (it keeps retrying until then). */
  async start(): Promise<void> {
    void this.run();
    await this.waitForSync();
  }

  private async run(): Promise<void> {
    if (this.stopped) return;
    this.failedSinceStart = false;
    await this.informer.start().catch((e: unknown) => this.failed(e));
    if (!this.failedSinceStart && !this.stopped) {
      this.isSynced = true;
      this.backoffMs = this.options.initialBackoffMs ?? 250;
      for (const wake of this.syncWaiters.splice(0)) wake();
    }
  }

  private failed(err: unknown): void {
    this.failedSinceStart = true;
    if (this.stopped || this.timer !== undefined) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 10000);
    this.options.onError?.(toAdapterError(err, `watch ${this.kind.plural}`), delay);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.restarts++;
      void this.run();
    }, delay);
  }

  /** True once the first list has been received; stays true across restarts (the cache keeps its objects). */
  get synced(): boolean {
    return this.isSynced;
  }

  /** How many times the cache restarted after an error. */
  get restartCount(): number {
    return this.restarts;
  }

  waitForSync(): Promise<void> {
    return this.isSynced ? Promise.resolve() : new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  list(): readonly KubeObject[] {
    return this.informer.list(this.options.namespace);
  }

  get(name: string, namespace?: string): KubeObject | undefined {
    return this.informer.get(name, namespace);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.informer.stop();
  }
}
