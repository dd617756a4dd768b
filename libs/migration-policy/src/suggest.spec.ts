import { nearest } from './suggest.js';
import { OWNED_KEYS } from './options.js';

describe('nearest settable key', () => {
  it.each([
    ['parallelMigrationPerCluster', 'parallelMigrationsPerCluster'],
    ['ParallelMigrationsPerCluster', 'parallelMigrationsPerCluster'],
    ['bandwith', 'bandwidthPerMigration'],
    ['bandwidthPerMigraton', 'bandwidthPerMigration'],
    ['alowPostCopy', 'allowPostCopy'],
    ['allowPostCpoy', 'allowPostCopy'],
    ['progresTimeout', 'progressTimeout'],
    ['completionTimeout', 'completionTimeoutPerGiB'],
    ['disableTls', 'disableTLS'],
    ['maxDowntime', 'maxDowntimeMs'],
  ])('%s suggests %s', (typo, key) => {
    expect(nearest(typo, OWNED_KEYS)).toBe(key);
  });

  it.each(['fooBar', '__proto__', 'constructor', 'x', 'network', 'nodeDrainTaint', 'migrationNetwork', 'bandwidthPerMigrationLimitInMegabytes'])(
    '%s is no likely typo of a settable key: no suggestion',
    (word) => {
      expect(nearest(word, OWNED_KEYS)).toBeUndefined();
    },
  );

  it('stays cheap on a hostile key', () => {
    expect(nearest('x'.repeat(100000), OWNED_KEYS)).toBeUndefined();
  });
});
