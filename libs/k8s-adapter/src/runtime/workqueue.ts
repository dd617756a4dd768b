import { type Clock, systemClock } from './clock.js';

/**
 * A deduplicating work queue with per-key retry backoff, after client-go's: a key added while it
 * is queued is not queued twice; a key added while it is being processed runs once more after.
 */
export interface WorkQueueOptions {
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly clock?: Clock;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Set<() => void>();
  private readonly clock: Clock;
  private waiter: (() => void) | undefined;
  private closed = false;

  constructor(private readonly options: WorkQueueOptions = {}) {
    this.clock = options.clock ?? systemClock;
  }

  add(key: string): void {
    if (this.closed || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.queue.push(key);
    this.wake();
  }

  addAfter(key: string, ms: number): void {
    if (this.closed) return;
    const cancel = this.clock.after(ms, () => {
      this.timers.delete(cancel);
      this.add(key);
    });
    this.timers.add(cancel);
  }

  /** Counts a failure of `key` and gives its next delay: exponential, capped (by `capMs` when given). */
  backoff(key: string, capMs?: number): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    return Math.min(
      (this.options.baseDelayMs ?? 200) * 2 ** Math.min(n, 30),
      capMs ?? this.options.maxDelayMs ?? 30000,
    );
  }

  /** Re-adds after the backoff of this key's failures; gives the delay. */
  addRateLimited(key: string): number {
    const delay = this.backoff(key);
    this.addAfter(key, delay);
    return delay;
  }

  /** Clears the failure count of a key (after a success). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Keys waiting (not counting the one being processed). */
  get depth(): number {
    return this.queue.length;
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  private async next(): Promise<string | undefined> {
    while (this.queue.length === 0) {
      if (this.closed) return undefined;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
    const key = this.queue.shift();
    if (key === undefined) return undefined;
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }

  private done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.queue.push(key);
      this.wake();
    }
  }

  /** Processes keys one at a time until shutdown; the worker decides retries itself. */
  async run(worker: (key: string) => Promise<void>): Promise<void> {
    for (;;) {
      const key = await this.next();
      if (key === undefined) return;
      try {
        await worker(key);
      } finally {
        this.done(key);
      }
    }
  }

  shutdown(): void {
    this.closed = true;
    for (const cancel of this.timers) cancel();
    this.timers.clear();
    this.wake();
  }
}
