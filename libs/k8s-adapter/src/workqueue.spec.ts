import { WorkQueue } from './workqueue.js';

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('WorkQueue', () => {
  it('deduplicates a key added while it waits', async () => {
    const q = new WorkQueue();
    const seen: string[] = [];
    q.add('a');
    q.add('a');
    q.add('b');
    const running = q.run(async (k) => void seen.push(k));
    await tick(10);
    q.shutdown();
    await running;
    expect(seen).toEqual(['a', 'b']);
  });

  it('runs a key once more when it is added during its processing', async () => {
    const q = new WorkQueue();
    const seen: string[] = [];
    q.add('a');
    const running = q.run(async (k) => {
      seen.push(k);
      if (seen.length === 1) {
        q.add('a');
        q.add('a');
        await tick(5);
      }
    });
    await tick(30);
    q.shutdown();
    await running;
    expect(seen).toEqual(['a', 'a']);
  });

  it('backs off exponentially per key, capped, and forgets on success', () => {
    const q = new WorkQueue({ baseDelayMs: 100, maxDelayMs: 350 });
    expect([q.addRateLimited('a'), q.addRateLimited('a'), q.addRateLimited('a'), q.addRateLimited('b')]).toEqual([100, 200, 350, 100]);
    q.forget('a');
    expect(q.addRateLimited('a')).toBe(100);
    q.shutdown();
  });
});
