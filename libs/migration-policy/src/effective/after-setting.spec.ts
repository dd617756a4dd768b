import * as E from 'fp-ts/lib/Either.js';

import { migrationsBlock } from '../kubevirt.js';
import { kubevirt, setting } from '../testing/fixtures.js';
import { kubevirtAfterSetting } from './after-setting.js';

const NOW = '2026-01-01T00:00:00Z';

describe('kubevirtAfterSetting: the CR as one reconcile pass would leave it', () => {
  it('patched with what a changed Setting asks', () => {
    const after = kubevirtAfterSetting({
      setting: setting('{"parallelMigrationsPerCluster":3}'),
      kubevirt: kubevirt({ parallelMigrationsPerCluster: 5, network: 'n' }),
      now: NOW,
    });
    expect(E.map(migrationsBlock)(after)).toEqual(E.right({ parallelMigrationsPerCluster: 3, network: 'n' }));
  });

  it('as it is when the Setting asks nothing new', () => {
    const cr = kubevirt({ progressTimeout: 300 });
    expect(kubevirtAfterSetting({ setting: setting('{"progressTimeout":300}'), kubevirt: cr, now: NOW })).toEqual(
      E.right(cr),
    );
  });

  it.each<[string, unknown, unknown, string]>([
    ['no CR', setting('{}'), undefined, 'nothing to apply: '],
    [
      'an invalid Setting',
      setting('{"progressTimeout":-1}'),
      kubevirt(),
      'the Setting is invalid: value.progressTimeout: Invalid value: -1',
    ],
  ])('left, in one sentence: %s', (_name, s, cr, start) => {
    const after = kubevirtAfterSetting({ setting: s, kubevirt: cr, now: NOW });
    expect(E.isLeft(after) && after.left.startsWith(start)).toBe(true);
  });
});
