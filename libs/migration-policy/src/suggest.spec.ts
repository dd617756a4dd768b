import { nearest } from './suggest.js';
import { OPTION_KEYS } from './options.js';

describe('nearest known key', () => {
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
    ['nodeDrainTaint', 'nodeDrainTaintKey'],
  ])('%s suggests %s', (typo, key) => {
    expect(nearest(typo, OPTION_KEYS)).toBe(key);
  });

  it('stays cheap on a hostile key', () => {
    expect(OPTION_KEYS).toContain(nearest('x'.repeat(100000), OPTION_KEYS));
  });
});
