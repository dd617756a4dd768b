import { conflict, kubevirtObject, RecordingCluster, settingObject, unavailable } from '../testing/fakes.js';
import { ManualClock } from '../testing/manual-clock.js';
import { ControllerLoop, type ControllerOptions, EXPECTATION_MS } from './controller.js';
import type { ReconcileOutcome } from './reconcile.js';

const VALUE = '{"parallelMigrationsPerCluster":3}';

/** A loop over the recording cluster with a manual clock; records outcomes and errors. */
const harness = (c: RecordingCluster, o: Partial<ControllerOptions> = {}) => {
  const clock = new ManualClock();
  const outcomes: ReconcileOutcome[] = [];
  const errors: { message: string; retryInMs: number }[] = [];
  const loop = new ControllerLoop(c.caches, c.client, {
    mayWrite: () => true,
    clock,
    random: () => 0.5,
    onOutcome: (outcome) => outcomes.push(outcome),
    onError: (message, retryInMs) => errors.push({ message, retryInMs }),
    ...o,
  });
  return { clock, loop, outcomes, errors };
};

describe('the controller loop', () => {
  it('a first pass from the caches applies the setting; the write it waits for arrives and the next pass changes nothing', async () => {
    const c = new RecordingCluster(settingObject(VALUE), kubevirtObject());
    const { clock, loop, outcomes } = harness(c);
    loop.start();
    await clock.advance(0);
    expect(outcomes).toEqual(['Applied']);
    expect(c.kinds).toEqual(['PatchKubeVirt', 'Event Applied', 'PatchSetting']);
    // the watch delivers our own writes: the caches catch up and the key is queued again
    c.sync();
    loop.observed('kubevirt', c.kubevirt);
    loop.observed('setting', c.setting);
    await clock.advance(0);
    expect(outcomes).toEqual(['Applied', 'Unchanged']);
    expect(c.kinds).toEqual(['PatchKubeVirt', 'Event Applied', 'PatchSetting']);
    await loop.stop();
  });

  it('a pass while the caches lag behind our own write waits for it (no stale plan), at most EXPECTATION_MS', async () => {
    const c = new RecordingCluster(settingObject(VALUE), kubevirtObject());
    const { clock, loop, outcomes } = harness(c);
    loop.start();
    await clock.advance(0);
    // an unrelated event arrives before the watch delivers our writes
    loop.enqueue();
    await clock.advance(0);
    expect(outcomes).toEqual(['Applied']);
    // the watch never delivers them: after the expectation times out, the pass reads the caches anyway
    c.sync();
    await clock.advance(EXPECTATION_MS);
    expect(outcomes).toEqual(['Applied', 'Unchanged']);
    await loop.stop();
  });

  it('a conflict is retried from fresh reads after a short random wait, and never reaches the error path', async () => {
    const c = new RecordingCluster(settingObject(VALUE), kubevirtObject());
    const { clock, loop, outcomes, errors } = harness(c);
    // another writer changed the CR: the caches have not seen it, so the guarded patch fails
    c.edit([{ op: 'add', path: '/spec/configuration/emulatedMachines', value: ['q35'] }]);
    loop.start();
    await clock.advance(0);
    expect(outcomes).toEqual(['Conflict']);
    expect(c.reads).toEqual([]);
    await clock.advance(10);
    expect(outcomes).toEqual(['Conflict', 'Applied']);
    expect(c.reads).toEqual(['setting', 'kubevirt']);
    expect(errors).toEqual([]);
    expect((c.kubevirt?.['spec'] as { configuration: Record<string, unknown> }).configuration).toEqual({
      emulatedMachines: ['q35'],
      migrations: { parallelMigrationsPerCluster: 3 },
    });
    await loop.stop();
  });

  it('many conflicts in a row stay conflicts: waits grow and stay short, no error, and the write lands', async () => {
    const c = new RecordingCluster(settingObject(VALUE), kubevirtObject());
    const { clock, loop, outcomes, errors } = harness(c);
    for (let i = 0; i < 12; i++) c.failures.push(conflict('patch KubeVirt'));
    loop.start();
    await clock.advance(12 * 500);
    expect(outcomes.filter((o) => o === 'Conflict')).toHaveLength(12);
    expect(outcomes[outcomes.length - 1]).toBe('Applied');
    expect(errors).toEqual([]);
    await loop.stop();
  });

  it('another failure backs off exponentially from 200 ms to 30 s, and a success resets the backoff', async () => {
    const c = new RecordingCluster(settingObject(VALUE), kubevirtObject());
    const { clock, loop, errors, outcomes } = harness(c);
    const forbidden = () => Object.assign(conflict('patch KubeVirt'), { kind: 'Forbidden' as const });
    for (let i = 0; i < 10; i++) c.failures.push(forbidden());
    loop.start();
    await clock.advance(120000);
    expect(errors.map((e) => e.retryInMs)).toEqual([200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000, 30000]);
    expect(outcomes).toEqual(['Applied']);
    c.failures.push(forbidden());
    c.sync();
    loop.observed('setting', { ...c.setting, value: '{"parallelMigrationsPerCluster":4}' });
    c.setting = { ...c.setting, value: '{"parallelMigrationsPerCluster":4}' };
    c.sync();
    await clock.advance(EXPECTATION_MS + 1);
    expect(errors[errors.length - 1]?.retryInMs).toBe(200);
    await loop.stop();
  });

  it('while the API server is unavailable a pass retries at least every second, or after its Retry-After', async () => {
    const c = new RecordingCluster(settingObject(VALUE), kubevirtObject());
    const { clock, loop, errors, outcomes } = harness(c);
    for (let i = 0; i < 6; i++) c.failures.push(unavailable('patch KubeVirt'));
    c.failures.push(unavailable('patch KubeVirt', 3000));
    loop.start();
    await clock.advance(60000);
    expect(errors.map((e) => e.retryInMs)).toEqual([200, 400, 800, 1000, 1000, 1000, 3000]);
    expect(outcomes).toEqual(['Applied']);
    await loop.stop();
  });

  it('a replica that may not write drops its work without reading or writing', async () => {
    const c = new RecordingCluster(settingObject(VALUE), kubevirtObject());
    const { clock, loop, outcomes } = harness(c, { mayWrite: () => false });
    loop.start();
    await clock.advance(1000);
    expect(outcomes).toEqual([]);
    expect(c.writes).toEqual([]);
    await loop.stop();
  });

  it('resync plans again without any event', async () => {
    const c = new RecordingCluster(settingObject(VALUE), kubevirtObject({ parallelMigrationsPerCluster: 3 }));
    const { clock, loop, outcomes } = harness(c, { resyncMs: 60000 });
    loop.start();
    await clock.advance(0);
    expect(outcomes).toEqual(['Unchanged']);
    c.sync();
    await clock.advance(EXPECTATION_MS);
    const before = outcomes.length;
    await clock.advance(60000);
    expect(outcomes.length).toBe(before + 1);
    await clock.advance(60000);
    expect(outcomes.length).toBe(before + 2);
    await loop.stop();
    expect(clock.pending).toEqual([]);
  });

  it('a change of the KubeVirt CRD plans again', async () => {
    const c = new RecordingCluster(settingObject(VALUE), kubevirtObject({ parallelMigrationsPerCluster: 3 }));
    const { clock, loop, outcomes } = harness(c);
    loop.start();
    await clock.advance(EXPECTATION_MS);
    const before = outcomes.length;
    loop.observed('crd');
    await clock.advance(0);
    expect(outcomes.length).toBe(before + 1);
    await loop.stop();
  });
});
