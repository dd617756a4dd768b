import { ManualClock } from '../testing/manual-clock.js';
import { WorkQueue } from './workqueue.js';

describe('WorkQueue', () => {
  it('deduplicates a key added while it waits', async () => {
    const clock = new ManualClock();
    const q = new WorkQueue({ clock });
    const seen: string[] = [];
    q.add('a');
    q.add('a');
    q.add('b');
    const running = q.run(async (k) => void seen.push(k));
    await clock.advance(0);
    q.shutdown();
    await running;
    expect(seen).toEqual(['a', 'b']);
  });

  it('runs a key once more when it is added during its processing, never twice at once', async () => {
    const clock = new ManualClock();
    const q = new WorkQueue({ clock });
    const seen: string[] = [];
    let busy = 0;
    q.add('a');
    const running = q.run(async (k) => {
      busy++;
      expect(busy).toBe(1);
      seen.push(k);
      if (seen.length === 1) {
        q.add('a');
        q.add('a');
        await clock.sleep(5);
      }
      busy--;
    });
    await clock.advance(30);
    q.shutdown();
    await running;
    expect(seen).toEqual(['a', 'a']);
  });

  it('adds a key after a delay, and shutdown cancels what is pending', async () => {
    const clock = new ManualClock();
    const q = new WorkQueue({ clock });
    const seen: number[] = [];
    const running = q.run(async () => void seen.push(clock.now()));
    q.addAfter('a', 100);
    q.addAfter('b', 250);
    await clock.advance(99);
    expect(seen).toEqual([]);
    await clock.advance(1);
    expect(seen).toEqual([100]);
    q.shutdown();
    expect(clock.pending).toEqual([]);
    await running;
  });

  it('backs off exponentially per key, capped, and forgets on success', () => {
    const clock = new ManualClock();
    const q = new WorkQueue({ baseDelayMs: 100, maxDelayMs: 350, clock });
    expect([q.addRateLimited('a'), q.addRateLimited('a'), q.addRateLimited('a'), q.addRateLimited('b')]).toEqual([
      100, 200, 350, 100,
    ]);
    q.forget('a');
    expect(q.addRateLimited('a')).toBe(100);
    expect([q.backoff('c', 150), q.backoff('c', 150), q.backoff('c', 150)]).toEqual([100, 150, 150]);
    q.shutdown();
  });

  it('the depth counts keys waiting, not the one being processed', async () => {
    const clock = new ManualClock();
    const q = new WorkQueue({ clock });
    const depths: number[] = [];
    q.add('a');
    q.add('b');
    q.add('c');
    const running = q.run(async () => void depths.push(q.depth));
    await clock.advance(0);
    q.shutdown();
    await running;
    expect(depths).toEqual([2, 1, 0]);
  });
});
