import { HARVESTER_DEFAULT } from '@kubevirt-migration/migration-policy';
import { errorMessage } from '@kubevirt-migration/service';

import {
  conflict,
  kubevirtObject,
  RecordingCluster,
  settingObject,
  testFailed,
  unavailable,
} from '../testing/fakes.js';
import { reconcile, type ReconcileDeps } from './reconcile.js';

const NOW = new Date('2026-03-04T05:06:07.891Z');
const T = '2026-03-04T05:06:07Z';

/** One pass against the recording cluster, reading what the API server holds. */
const pass = (
  c: RecordingCluster,
  o: { mayWrite?: () => boolean; onEventError?: ReconcileDeps['onEventError'] } = {},
) =>
  reconcile({
    setting: c.client.getSetting,
    kubevirt: c.client.getKubeVirt,
    supportedOptions: () => undefined,
    patchKubeVirt: c.client.patchKubeVirt,
    patchSetting: c.client.patchSetting,
    event: c.client.event,
    now: () => NOW,
    mayWrite: o.mayWrite ?? (() => true),
    ...(o.onEventError === undefined ? {} : { onEventError: o.onEventError }),
  });

const APPLIED = {
  type: 'configured',
  status: 'True',
  reason: 'Applied',
  message: 'the KubeVirt CR harvester-system/kubevirt matches the setting',
  lastUpdateTime: T,
  lastTransitionTime: T,
};
const annotationsOf = (c: RecordingCluster) =>
  ((c.setting?.['metadata'] ?? {}) as { annotations?: Record<string, string> }).annotations ?? {};

describe('reconcile: the exact writes of each outcome, in order', () => {
  it('applied: the CR patch, the Applied event, then the Setting record (marker, applied configuration, condition)', async () => {
    const c = new RecordingCluster(settingObject('{"parallelMigrationsPerCluster":3}'), kubevirtObject());
    expect(await pass(c)).toBe('Applied');
    expect(c.writes).toEqual([
      {
        write: 'PatchKubeVirt',
        patch: [
          { op: 'test', path: '/metadata/resourceVersion', value: '20' },
          { op: 'add', path: '/spec/configuration/migrations', value: { parallelMigrationsPerCluster: 3 } },
        ],
      },
      {
        write: 'Event',
        type: 'Normal',
        reason: 'Applied',
        message: 'applied the setting to the KubeVirt CR harvester-system/kubevirt (1 change)',
      },
      {
        write: 'PatchSetting',
        patch: [
          { op: 'test', path: '/metadata/resourceVersion', value: '10' },
          {
            op: 'add',
            path: '/metadata/annotations',
            value: {
              'harvesterhci.io/hash': expect.stringMatching(/^[0-9a-f]{56}$/),
              'kubevirt-migration.harvesterhci.io/applied-config': expect.stringMatching(/^[0-9a-f]{56}$/),
            },
          },
          { op: 'add', path: '/status', value: { conditions: [APPLIED] } },
        ],
      },
    ]);
  });

  it('unchanged: a second pass on the converged cluster writes nothing at all', async () => {
    const c = new RecordingCluster(settingObject('{"parallelMigrationsPerCluster":3}'), kubevirtObject());
    await pass(c);
    c.writes.length = 0;
    expect(await pass(c)).toBe('Unchanged');
    expect(c.writes).toEqual([]);
  });

  it('drift corrected: a change made on the CR after the apply is set back, with DriftCorrected and no Applied event nor record', async () => {
    const c = new RecordingCluster(settingObject('{"parallelMigrationsPerCluster":3}'), kubevirtObject());
    await pass(c);
    c.edit([{ op: 'replace', path: '/spec/configuration/migrations/parallelMigrationsPerCluster', value: 9 }]);
    c.writes.length = 0;
    expect(await pass(c)).toBe('DriftCorrected');
    expect(c.writes).toEqual([
      {
        write: 'PatchKubeVirt',
        patch: [
          { op: 'test', path: '/spec/configuration/migrations', value: { parallelMigrationsPerCluster: 9 } },
          { op: 'replace', path: '/spec/configuration/migrations/parallelMigrationsPerCluster', value: 3 },
        ],
      },
      {
        write: 'Event',
        type: 'Normal',
        reason: 'DriftCorrected',
        message:
          'set back 1 migration option changed directly on the KubeVirt CR harvester-system/kubevirt to the kubevirt-migration setting',
      },
    ]);
  });

  it('not drift: a change of default while value is blank is applied with an Applied event', async () => {
    const c = new RecordingCluster(settingObject(undefined), kubevirtObject());
    await pass(c);
    c.setting = { ...c.setting, default: '{"parallelMigrationsPerCluster":4}' };
    c.writes.length = 0;
    expect(await pass(c)).toBe('Applied');
    expect(c.kinds).toEqual(['PatchKubeVirt', 'Event Applied', 'PatchSetting']);
  });

  it('adopted: only the Setting value is written, then the Adopted event; the CR is not touched', async () => {
    const c = new RecordingCluster(
      settingObject(''),
      kubevirtObject({ parallelMigrationsPerCluster: 10, network: 'mig' }),
    );
    expect(await pass(c)).toBe('Adopted');
    expect(c.writes).toEqual([
      {
        write: 'PatchSetting',
        patch: [
          { op: 'test', path: '/metadata/resourceVersion', value: '10' },
          { op: 'add', path: '/value', value: '{"parallelMigrationsPerCluster":10}' },
        ],
      },
      {
        write: 'Event',
        type: 'Normal',
        reason: 'Adopted',
        message: `the setting had never been applied and its value was blank: kept the KubeVirt CR's migration options as the value {"parallelMigrationsPerCluster":10}`,
      },
    ]);
    // the next pass finds the CR converged and records it
    c.writes.length = 0;
    expect(await pass(c)).toBe('Unchanged');
    expect(c.kinds).toEqual(['PatchSetting']);
  });

  it('adopted with omissions: a second, Warning event names what was left out', async () => {
    const c = new RecordingCluster(
      settingObject(undefined),
      kubevirtObject({ parallelMigrationsPerCluster: 0, progressTimeout: 30 }),
    );
    expect(await pass(c)).toBe('Adopted');
    expect(c.kinds).toEqual(['PatchSetting', 'Event Adopted', 'Event AdoptionOmitted']);
    expect(c.writes[2]).toMatchObject({
      type: 'Warning',
      message: expect.stringContaining('spec.configuration.migrations.parallelMigrationsPerCluster: Invalid value: 0'),
    });
  });

  it('invalid once: the condition turns False with one Warning event, and the CR is not written; invalid again: nothing', async () => {
    const c = new RecordingCluster(settingObject('{"parallelMigrationsPerCluster":0}'), kubevirtObject());
    expect(await pass(c)).toBe('Invalid');
    expect(c.kinds).toEqual(['PatchSetting', 'Event InvalidSetting']);
    expect(c.writes[1]).toMatchObject({
      type: 'Warning',
      message: expect.stringMatching(
        /^not applied: Setting.harvesterhci.io "kubevirt-migration" is invalid: value.parallelMigrationsPerCluster/,
      ),
    });
    c.writes.length = 0;
    expect(await pass(c)).toBe('Invalid');
    expect(c.writes).toEqual([]);
  });

  it('KubeVirt absent: the condition KubeVirtNotFound, once', async () => {
    const c = new RecordingCluster(settingObject('{}'), undefined);
    expect(await pass(c)).toBe('Ignored');
    expect(c.writes).toEqual([
      {
        write: 'PatchSetting',
        patch: [
          { op: 'test', path: '/metadata/resourceVersion', value: '10' },
          {
            op: 'add',
            path: '/status',
            value: {
              conditions: [
                {
                  type: 'configured',
                  status: 'False',
                  reason: 'KubeVirtNotFound',
                  message: 'the KubeVirt CR harvester-system/kubevirt does not exist',
                  lastUpdateTime: T,
                  lastTransitionTime: T,
                },
              ],
            },
          },
        ],
      },
    ]);
    c.writes.length = 0;
    expect(await pass(c)).toBe('Ignored');
    expect(c.writes).toEqual([]);
  });

  it('Setting absent: nothing at all', async () => {
    const c = new RecordingCluster(undefined, kubevirtObject({ parallelMigrationsPerCluster: 3 }));
    expect(await pass(c)).toBe('Ignored');
    expect(c.writes).toEqual([]);
  });

  it('the seeded default on a CR without migrations: all eleven options in one add', async () => {
    const c = new RecordingCluster(settingObject(undefined), kubevirtObject());
    expect(await pass(c)).toBe('Applied');
    expect(c.writes[0]).toMatchObject({
      patch: [{ op: 'test' }, { op: 'add', value: JSON.parse(HARVESTER_DEFAULT) as unknown }],
    });
    expect(c.writes[1]).toMatchObject({
      message: 'applied the setting to the KubeVirt CR harvester-system/kubevirt (11 changes)',
    });
  });
});

describe('reconcile: failures', () => {
  it.each([
    ['a Conflict', conflict('patch KubeVirt')],
    ['a failed test (TestFailed)', testFailed('patch KubeVirt')],
  ])('%s on the CR patch ends the pass as Conflict, before any event or record', async (_name, error) => {
    const c = new RecordingCluster(settingObject('{"parallelMigrationsPerCluster":3}'), kubevirtObject());
    c.failures.push(error);
    expect(await pass(c)).toBe('Conflict');
    expect(c.kinds).toEqual(['PatchKubeVirt']);
  });

  it('a conflict on the record after the CR patch is a Conflict; the next pass only records', async () => {
    const c = new RecordingCluster(settingObject('{"parallelMigrationsPerCluster":3}'), kubevirtObject());
    c.failures.push(undefined, conflict('patch Setting'));
    expect(await pass(c)).toBe('Conflict');
    expect(c.kinds).toEqual(['PatchKubeVirt', 'Event Applied', 'PatchSetting']);
    c.writes.length = 0;
    expect(await pass(c)).toBe('Unchanged');
    expect(c.kinds).toEqual(['PatchSetting']);
  });

  it('any other failure is thrown as it is, for the caller to back off', async () => {
    const c = new RecordingCluster(settingObject('{"parallelMigrationsPerCluster":3}'), kubevirtObject());
    const error = unavailable('patch KubeVirt');
    c.failures.push(error);
    await expect(pass(c)).rejects.toBe(error);
  });

  it('a failed event is reported and the pass goes on to the record', async () => {
    const c = new RecordingCluster(settingObject('{"parallelMigrationsPerCluster":3}'), kubevirtObject());
    c.eventFailures.push(new Error('events are forbidden'));
    const reported: string[] = [];
    expect(await pass(c, { onEventError: (n, e) => reported.push(`${n.reason}: ${errorMessage(e)}`) })).toBe('Applied');
    expect(c.kinds).toEqual(['PatchKubeVirt', 'Event Applied', 'PatchSetting']);
    expect(reported).toEqual(['Applied: events are forbidden']);
    expect(annotationsOf(c)['harvesterhci.io/hash']).toBeDefined();
  });

  it('a closed fence stops the pass before its first write', async () => {
    const c = new RecordingCluster(settingObject('{"parallelMigrationsPerCluster":3}'), kubevirtObject());
    expect(await pass(c, { mayWrite: () => false })).toBe('NotLeader');
    expect(c.writes).toEqual([]);
  });

  it('a fence that closes during the pass stops it before the next write, an Event included', async () => {
    const c = new RecordingCluster(settingObject('{"parallelMigrationsPerCluster":3}'), kubevirtObject());
    let allowed = 1;
    expect(await pass(c, { mayWrite: () => allowed-- > 0 })).toBe('NotLeader');
    expect(c.kinds).toEqual(['PatchKubeVirt']);
  });
});
