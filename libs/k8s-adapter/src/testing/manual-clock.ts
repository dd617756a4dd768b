import type { Clock } from '../runtime/clock.js';

/** Lets every pending promise callback and I/O callback run. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

/** A clock that moves only when a spec says so: timers fire in order, and promises settle between them. */
export class ManualClock implements Clock {
  private t = 0;
  private timers: { readonly at: number; readonly seq: number; readonly fn: () => void }[] = [];
  private seq = 0;

  readonly now = (): number => this.t;
  readonly date = (): Date => new Date(Date.UTC(2026, 0, 1) + this.t);
  readonly after = (ms: number, fn: () => void): (() => void) => {
    const timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  };
  readonly sleep = (ms: number): Promise<void> => new Promise((resolve) => this.after(ms, resolve));

  /** Timers waiting, with the time each fires at. */
  get pending(): readonly number[] {
    return this.timers.map((x) => x.at).sort((a, b) => a - b);
  }

  /** Moves time forward without running anything: the process was paused (SIGSTOP) meanwhile. */
  jump(ms: number): void {
    this.t += ms;
  }

  /** Moves time forward by `ms`, firing every timer due on the way. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    await settle();
    for (;;) {
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = due.at;
      due.fn();
      await settle();
    }
    this.t = end;
    await settle();
  }
}
