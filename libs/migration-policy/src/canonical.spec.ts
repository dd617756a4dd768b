import { sameConfig } from './canonical.js';

describe('canonical comparison', () => {
  it.each<[string, object, object, boolean]>([
    ['key order', { a: 1, parallelMigrationsPerCluster: 3, progressTimeout: 4 }, { progressTimeout: 4, parallelMigrationsPerCluster: 3 }, true],
    ['quantities by value', { bandwidthPerMigration: '1Gi' }, { bandwidthPerMigration: 1073741824 }, true],
    ['0 and 0Mi', { bandwidthPerMigration: 0 }, { bandwidthPerMigration: '0Mi' }, true],
    ['nulls dropped', { progressTimeout: null }, {}, true],
    ['protected keys dropped', { network: 'x', nodeDrainTaintKey: 'y' }, {}, true],
    ['absent is not the default', { parallelMigrationsPerCluster: 5 }, {}, false],
    ['different values', { allowPostCopy: true }, { allowPostCopy: false }, false],
    ['an invalid quantity differs from any valid one', { bandwidthPerMigration: 'x' }, { bandwidthPerMigration: 0 }, false],
    ['a string is not a number', { progressTimeout: '5' }, { progressTimeout: 5 }, false],
  ])('%s', (_name, a, b, same) => {
    expect(sameConfig(a, b)).toBe(same);
    expect(sameConfig(b, a)).toBe(same);
  });
});
