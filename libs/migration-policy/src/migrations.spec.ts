import fc from 'fast-check';

import { describeMigrations, inProgress, isInProgress } from './migrations.js';
import { vmim } from './testing/fixtures.js';

describe('migrations in progress (docs/semantics.md §4)', () => {
  it.each<[string, unknown, boolean]>([
    ['no status (just created)', vmim('a', 'm'), true],
    ['an empty phase', vmim('a', 'm', { phase: '' }), true],
    ['Running', vmim('a', 'm', { phase: 'Running' }), true],
    ['Succeeded', vmim('a', 'm', { phase: 'Succeeded' }), false],
    ['Failed', vmim('a', 'm', { phase: 'Failed' }), false],
    ['completed, whatever the phase', vmim('a', 'm', { phase: 'Running', migrationState: { completed: true } }), false],
    ['completed false', vmim('a', 'm', { phase: 'Running', migrationState: { completed: false } }), true],
    [
      'completed "true" (a string, not true)',
      vmim('a', 'm', { phase: 'Running', migrationState: { completed: 'true' } }),
      true,
    ],
    ['being deleted', vmim('a', 'm', { phase: 'Running' }, '2026-01-01T00:00:00Z'), false],
    [
      'a null deletionTimestamp',
      { metadata: { name: 'm', deletionTimestamp: null }, status: { phase: 'Running' } },
      true,
    ],
    ['a phase that is not a string', vmim('a', 'm', { phase: 7 }), true],
    ['not an object at all', 'junk', true],
  ])('%s: %s', (_name, m, expected) => {
    expect(isInProgress(m)).toBe(expected);
  });

  /** Every phase KubeVirt v1.9.0 declares (staging/src/kubevirt.io/api/core/v1/types.go, VirtualMachineInstanceMigrationPhase). */
  it.each<[string, boolean]>([
    ['', true],
    ['Pending', true],
    ['Scheduling', true],
    ['Scheduled', true],
    ['PreparingTarget', true],
    ['TargetReady', true],
    ['Running', true],
    ['Succeeded', false],
    ['Failed', false],
    // decentralized live migration (KubeVirt >= 1.8)
    ['WaitingForSync', true],
    ['Synchronizing', true],
    // a phase of a later release is in progress until it says otherwise
    ['SomethingNew', true],
  ])('every phase of KubeVirt v1.9.0: %j in progress = %s', (phase, expected) => {
    expect(isInProgress(vmim('ns', 'm', { phase }))).toBe(expected);
  });

  it('a decentralized migration waiting for sync or synchronizing is named with its phase', () => {
    expect(
      describeMigrations(
        inProgress([vmim('a', 'src', { phase: 'WaitingForSync' }), vmim('b', 'dst', { phase: 'Synchronizing' })]),
      ),
    ).toBe('a/src (WaitingForSync), b/dst (Synchronizing)');
  });

  it('lists those in progress sorted by namespace, then name, with Pending for an empty phase', () => {
    const list = inProgress([
      vmim('b', 'x', { phase: 'Running' }),
      vmim('a', 'z', {}),
      vmim('a', 'y', { phase: 'Scheduling' }),
      vmim('a', 'done', { phase: 'Succeeded' }),
      vmim('b', 'a', { phase: 'Running' }),
      { metadata: {}, status: { phase: 7 } },
    ]);
    expect(list).toEqual([
      { namespace: '', name: '', phase: 'Pending' },
      { namespace: 'a', name: 'y', phase: 'Scheduling' },
      { namespace: 'a', name: 'z', phase: 'Pending' },
      { namespace: 'b', name: 'a', phase: 'Running' },
      { namespace: 'b', name: 'x', phase: 'Running' },
    ]);
  });

  it('sorting is stable for equal names, and ordinal (uppercase first)', () => {
    const list = inProgress([vmim('a', 'b'), vmim('a', 'B'), vmim('a', 'a'), vmim('a', 'b')]).map((m) => m.name);
    expect(list).toEqual(['B', 'a', 'b', 'b']);
  });

  it.each([
    [0, ''],
    [1, 'n/m0 (Running)'],
    [5, 'n/m0 (Running), n/m1 (Running), n/m2 (Running), n/m3 (Running), n/m4 (Running)'],
    [6, 'n/m0 (Running), n/m1 (Running), n/m2 (Running), n/m3 (Running), n/m4 (Running) and 1 more'],
    [8, 'n/m0 (Running), n/m1 (Running), n/m2 (Running), n/m3 (Running), n/m4 (Running) and 3 more'],
  ])('names at most five: %d migrations read %j', (n, text) => {
    expect(
      describeMigrations(Array.from({ length: n }, (_, i) => ({ namespace: 'n', name: `m${i}`, phase: 'Running' }))),
    ).toBe(text);
  });
});

describe('migrations in progress: ordering, as a property', () => {
  it('any set of migrations comes out sorted by namespace, then name, whatever the input order', () => {
    const key = fc.stringMatching(/^[a-c]{1,3}$/);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(key, key), { selector: ([ns, name]) => `${ns}/${name}`, maxLength: 12 }),
        (pairs) => {
          const names = inProgress(pairs.map(([ns, name]) => vmim(ns, name, { phase: 'Running' }))).map(
            (m) => `${m.namespace}/${m.name}`,
          );
          const expected = [...pairs]
            .sort(([n1, m1], [n2, m2]) => (n1 < n2 ? -1 : n1 > n2 ? 1 : m1 < m2 ? -1 : m1 > m2 ? 1 : 0))
            .map(([ns, name]) => `${ns}/${name}`);
          expect(names).toEqual(expected);
        },
      ),
    );
  });
});
