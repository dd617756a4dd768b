/**
 * Time as the controller loop, the work queue and the leader elector see it: injected, so that unit
 * specs drive it by hand and never sleep.
 */
export interface Clock {
  /** Milliseconds on a monotonic scale (never the wall clock: a lease must not move with NTP). */
  readonly now: () => number;
  /** The wall-clock time, for timestamps written to objects. */
  readonly date: () => Date;
  /** Runs `fn` after `ms`; the result cancels it. */
  readonly after: (ms: number, fn: () => void) => () => void;
  /** Resolves after `ms`. */
  readonly sleep: (ms: number) => Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  date: () => new Date(),
  after: (ms, fn) => {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
