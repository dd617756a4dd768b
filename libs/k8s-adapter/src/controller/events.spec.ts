import { AdapterError } from '../client/errors.js';
import { SETTINGS } from '../client/kinds.js';
import { ManualClock } from '../testing/manual-clock.js';
import { type CoreEvent, EventRecorder, type EventSink } from './events.js';

const setting = { metadata: { name: 'kubevirt-migration', uid: 'u-1' } };
const drift = { type: 'Normal' as const, reason: 'DriftCorrected', message: 'set back 1 migration option' };

/** Events in memory, as the API server would keep them. */
const memorySink = () => {
  const events = new Map<string, CoreEvent>();
  const sink: EventSink = {
    create: async (e) => void events.set(e.metadata.name, e),
    bump: async (name, count, lastTimestamp) => {
      const e = events.get(name);
      if (e === undefined) throw new AdapterError('NotFound', `update Event ${name}: not found`, { status: 404 });
      events.set(name, { ...e, count, lastTimestamp });
    },
  };
  return { events, sink };
};

describe('the event recorder', () => {
  it('the same event again raises the count of one Event object, with the last timestamp moved', async () => {
    const { events, sink } = memorySink();
    const clock = new ManualClock();
    const recorder = new EventRecorder(sink, { component: 'test', clock });
    expect(await recorder.record(SETTINGS, setting, drift)).toBe('created');
    await clock.advance(1000);
    expect(await recorder.record(SETTINGS, setting, drift)).toBe('counted');
    expect(await recorder.record(SETTINGS, setting, drift)).toBe('counted');
    expect(events.size).toBe(1);
    const [event] = [...events.values()];
    expect(event).toMatchObject({
      count: 3,
      reason: 'DriftCorrected',
      type: 'Normal',
      involvedObject: {
        apiVersion: 'harvesterhci.io/v1beta1',
        kind: 'Setting',
        name: 'kubevirt-migration',
        uid: 'u-1',
      },
      source: { component: 'test' },
    });
    expect(event?.lastTimestamp.getTime()).toBe(event !== undefined ? event.firstTimestamp.getTime() + 1000 : 0);
  });

  it('a different message or reason is another Event object', async () => {
    const { events, sink } = memorySink();
    const recorder = new EventRecorder(sink, { component: 'test', clock: new ManualClock() });
    await recorder.record(SETTINGS, setting, drift);
    await recorder.record(SETTINGS, setting, { ...drift, message: 'set back 2 migration options' });
    await recorder.record(SETTINGS, setting, { ...drift, reason: 'Applied' });
    expect(events.size).toBe(3);
  });

  it('an Event deleted meanwhile is created again', async () => {
    const { events, sink } = memorySink();
    const recorder = new EventRecorder(sink, { component: 'test', clock: new ManualClock() });
    await recorder.record(SETTINGS, setting, drift);
    events.clear();
    expect(await recorder.record(SETTINGS, setting, drift)).toBe('created');
    expect([...events.values()][0]?.count).toBe(1);
  });

  it('a token bucket per object bounds the writes: a burst, then one per refill period', async () => {
    const { sink } = memorySink();
    const clock = new ManualClock();
    const recorder = new EventRecorder(sink, { component: 'test', clock, burst: 3, refillMs: 60000 });
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await recorder.record(SETTINGS, setting, { ...drift, message: `m${i}` }));
    expect(results).toEqual(['created', 'created', 'created', 'dropped', 'dropped']);
    await clock.advance(60000);
    expect(await recorder.record(SETTINGS, setting, drift)).toBe('created');
    expect(await recorder.record(SETTINGS, setting, drift)).toBe('dropped');
  });

  it('the messages are cut to 1024 characters', async () => {
    const { events, sink } = memorySink();
    const recorder = new EventRecorder(sink, { component: 'test', clock: new ManualClock() });
    await recorder.record(SETTINGS, setting, { ...drift, message: 'x'.repeat(5000) });
    expect([...events.values()][0]?.message).toHaveLength(1024);
  });

  it('a refused write is thrown to the caller (who reports it)', async () => {
    const recorder = new EventRecorder(
      {
        create: async () => Promise.reject(new AdapterError('Forbidden', 'create Event: forbidden', { status: 403 })),
        bump: async () => undefined,
      },
      { component: 'test', clock: new ManualClock() },
    );
    await expect(recorder.record(SETTINGS, setting, drift)).rejects.toMatchObject({ kind: 'Forbidden' });
  });
});
