import type { KubeObject } from '../client/client.js';
import { AdapterError, apiError, decodeStatus, transportError } from '../client/errors.js';
import type { KubeHttp, WatchEvent } from '../client/http.js';
import { collectionPath, type CustomKind } from '../client/kinds.js';
import { type Clock, systemClock } from '../runtime/clock.js';

export interface CacheOptions<T> {
  /** Only this namespace (default: all namespaces, or cluster-scoped). */
  readonly namespace?: string;
  /** Only the object of this name (a field selector on metadata.name). */
  readonly name?: string;
  /**
   * What the cache keeps of each object (as client-go's informer transforms): only what decisions
   * need, so that memory does not grow with fields nobody reads.
   */
  readonly transform: (obj: KubeObject) => T;
  /** Called for every add, update and delete (and for what a re-list changed), with the kept value. */
  readonly onChange?: (value: T, verb: 'add' | 'update' | 'delete') => void;
  /** Called when the list or watch fails; the cache lists again after `retryInMs` either way. */
  readonly onError?: (error: AdapterError, retryInMs: number) => void;
  readonly clock?: Clock;
}

/** Backoff of a failed list or watch: short, since a cache that is not fresh blocks decisions. */
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 1000;
const MAX_RETRY_DENIED_MS = 5000;
/** The server ends each watch after a random 5 to 10 minutes (client-go's spread); bookmarks keep it alive meanwhile. */
const watchSeconds = (): number => 300 + Math.floor(Math.random() * 300);

const keyOf = (o: KubeObject): string => {
  const m = (o['metadata'] ?? {}) as { namespace?: unknown; name?: unknown };
  return `${typeof m.namespace === 'string' ? m.namespace : ''}/${typeof m.name === 'string' ? m.name : ''}`;
};
const resourceVersionOf = (o: unknown): string | undefined => {
  const rv = ((o as { metadata?: { resourceVersion?: unknown } } | undefined)?.metadata ?? {}).resourceVersion;
  return typeof rv === 'string' ? rv : undefined;
};

/** A watch's ERROR event carries a Status (410 Expired when the resourceVersion was compacted away). */
const watchEventError = (what: string, status: Readonly<Record<string, unknown>>): AdapterError => {
  const code = status['code'];
  if (typeof code === 'number' && code >= 400 && code < 600) return apiError(what, code, decodeStatus(status));
  const message = status['message'];
  return new AdapterError('Other', `${what}: ${typeof message === 'string' ? message : 'watch error'}`);
};

/**
 * A cache of one kind kept by list and watch (a reflector, as client-go calls it), that can say
 * whether it is current: `fresh` is true only while its watch is connected. Any failure makes it
 * stale; as client-go's reflector does, the watch then resumes from the last resourceVersion seen
 * (the server replays what was missed), and the cache lists again only when the server no longer
 * has that version (410 Gone, at once) or there is none yet. Retries come after a backoff that
 * starts at 100 ms and is capped at 1 s (5 s for Forbidden or Unauthorized), or after the server's
 * Retry-After up to that cap; a success resets the backoff. Reads never go to the API server.
 */
export class InformerCache<T = KubeObject> {
  private readonly items = new Map<string, T>();
  private stopped = false;
  private isFresh = false;
  /** When the cache last became current (clock.now()). */
  private freshSince = Number.NEGATIVE_INFINITY;
  private hasSynced = false;
  private failures = 0;
  private lastError: string | undefined;
  private watch: { readonly abort: () => void } | undefined;
  /** The resourceVersion of the last list or event applied: where a broken watch resumes. */
  private lastSeen: string | undefined;
  private cancelSleep: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly syncWaiters: (() => void)[] = [];
  private readonly freshWaiters: (() => void)[] = [];
  private readonly clock: Clock;
  private restarts = 0;

  constructor(
    private readonly http: KubeHttp,
    readonly kind: CustomKind,
    private readonly o: CacheOptions<T>,
  ) {
    this.clock = o.clock ?? systemClock;
  }

  private get query(): Record<string, string | undefined> {
    return { fieldSelector: this.o.name === undefined ? undefined : `metadata.name=${this.o.name}` };
  }

  /** Starts listing and watching; resolves at the first successful list (it keeps retrying until then). */
  async start(): Promise<void> {
    this.loop ??= this.run();
    if (!this.hasSynced) await new Promise<void>((resolve) => this.syncWaiters.push(resolve));
  }

  private async run(): Promise<void> {
    let resourceVersion: string | undefined;
    while (!this.stopped) {
      try {
        if (resourceVersion === undefined) resourceVersion = await this.relist();
        resourceVersion = await this.watchFrom(resourceVersion);
      } catch (e) {
        if (this.stopped) return;
        const error = transportError(`watch ${this.kind.plural}`, e);
        this.isFresh = false;
        this.lastError = error.message;
        resourceVersion = this.lastSeen;
        if (error.kind === 'Expired') {
          resourceVersion = undefined;
          // the resourceVersion was compacted away (410): list again at once
          this.restarts++;
          this.o.onError?.(error, 0);
          continue;
        }
        // a cache that is not current blocks decisions: retry within a second (a server's Retry-After
        // counts, up to that), except where only a person can help (RBAC, credentials)
        const cap = error.kind === 'Forbidden' || error.kind === 'Unauthorized' ? MAX_RETRY_DENIED_MS : MAX_RETRY_MS;
        const delay = Math.min(error.retryAfterMs ?? FIRST_RETRY_MS * 2 ** Math.min(this.failures, 20), cap);
        this.failures++;
        this.restarts++;
        this.o.onError?.(error, delay);
        await new Promise<void>((resolve) => {
          const cancel = this.clock.after(delay, resolve);
          this.cancelSleep = () => {
            cancel();
            resolve();
          };
        });
      }
    }
  }

  /** Lists, replaces the cache's content (reporting what changed), and gives the list's resourceVersion. */
  private async relist(): Promise<string | undefined> {
    const list = (await this.http.request(
      `list ${this.kind.plural}`,
      'GET',
      collectionPath(this.kind, this.o.namespace),
      { query: this.query },
    )) as {
      items?: unknown;
      metadata?: { resourceVersion?: unknown };
    };
    this.failures = 0;
    const items = Array.isArray(list.items) ? (list.items as KubeObject[]) : [];
    const seen = new Set<string>();
    for (const item of items) {
      const key = keyOf(item);
      seen.add(key);
      this.put(key, item, this.items.has(key) ? 'update' : 'add');
    }
    for (const [key, value] of [...this.items]) {
      if (seen.has(key)) continue;
      this.items.delete(key);
      this.o.onChange?.(value, 'delete');
    }
    if (!this.hasSynced) {
      this.hasSynced = true;
      for (const wake of this.syncWaiters.splice(0)) wake();
    }
    this.lastSeen = resourceVersionOf(list);
    return this.lastSeen;
  }

  private put(key: string, obj: KubeObject, verb: 'add' | 'update'): void {
    const value = this.o.transform(obj);
    this.items.set(key, value);
    this.o.onChange?.(value, verb);
  }

  /** Watches from `resourceVersion` until the server ends the watch; gives the last resourceVersion seen. */
  private async watchFrom(resourceVersion: string | undefined): Promise<string | undefined> {
    let rv = resourceVersion;
    const seconds = watchSeconds();
    let watchError: unknown;
    const onEvent = (e: WatchEvent): void => {
      if (e.type === 'ERROR') throw watchEventError(`watch ${this.kind.plural}`, e.object);
      rv = resourceVersionOf(e.object) ?? rv;
      this.lastSeen = rv;
      if (e.type === 'BOOKMARK') return;
      const key = keyOf(e.object);
      if (e.type === 'DELETED') {
        const value = this.items.get(key);
        this.items.delete(key);
        if (value !== undefined) this.o.onChange?.(value, 'delete');
      } else {
        this.put(key, e.object, this.items.has(key) ? 'update' : 'add');
      }
    };
    const handle = this.http.watch(
      `watch ${this.kind.plural}`,
      collectionPath(this.kind, this.o.namespace),
      { ...this.query, resourceVersion: rv, allowWatchBookmarks: 'true', timeoutSeconds: String(seconds) },
      {
        onEvent: (e) => {
          try {
            onEvent(e);
          } catch (error) {
            handle.abort();
            watchError = error;
          }
        },
        onConnected: () => {
          this.failures = 0;
          if (!this.isFresh) this.freshSince = this.clock.now();
          this.isFresh = true;
          this.lastError = undefined;
          for (const wake of this.freshWaiters.splice(0)) wake();
        },
        idleMs: (seconds + 60) * 1000,
      },
    );
    this.watch = handle;
    await handle.done;
    this.watch = undefined;
    if (watchError !== undefined) throw watchError;
    return rv;
  }

  /** Resolves once the cache is current (at once if it is), or when it is stopped. */
  whenFresh(): Promise<void> {
    if (this.isFresh || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.freshWaiters.push(resolve));
  }

  /** True once the first list has been received (the cache then has content, current or not). */
  get synced(): boolean {
    return this.hasSynced;
  }

  /** True while the watch is connected and the cache was listed since its last failure: its content is current. */
  get fresh(): boolean {
    return this.isFresh;
  }

  /**
   * True for a while after the cache became current again (its first list included): an API server
   * that has just started can deliver watch events late (measured: up to 0.8 s after /readyz), so
   * what matters during that time is better read from the API server itself.
   */
  settling(ms: number): boolean {
    return this.isFresh && this.clock.now() - this.freshSince < ms;
  }

  /** Why the cache is not fresh, when it is not. */
  get staleReason(): string | undefined {
    if (this.isFresh) return undefined;
    return this.lastError ?? (this.hasSynced ? 'the watch is reconnecting' : 'not listed yet');
  }

  /** How many times the cache listed again after a failure. */
  get restartCount(): number {
    return this.restarts;
  }

  list(): readonly T[] {
    return [...this.items.values()];
  }

  get(name: string, namespace?: string): T | undefined {
    return this.items.get(`${namespace ?? ''}/${name}`);
  }

  get size(): number {
    return this.items.size;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.isFresh = false;
    this.watch?.abort();
    this.cancelSleep?.();
    for (const wake of [...this.syncWaiters.splice(0), ...this.freshWaiters.splice(0)]) wake();
    await this.loop;
  }
}
