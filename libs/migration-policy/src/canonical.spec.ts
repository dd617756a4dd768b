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

describe('canonical comparison: values that are not valid', () => {
  it('a quantity that does not parse stays different from every valid one and equal only to itself', () => {
    expect(sameConfig({ bandwidthPerMigration: 'lots' }, { bandwidthPerMigration: 'lots' })).toBe(true);
    expect(sameConfig({ bandwidthPerMigration: 'lots' }, { bandwidthPerMigration: 'many' })).toBe(false);
    expect(sameConfig({ bandwidthPerMigration: 'lots' }, { bandwidthPerMigration: 0 })).toBe(false);
    expect(sameConfig({ bandwidthPerMigration: 'lots' }, {})).toBe(false);
  });

  it('a string where a number or boolean belongs is not that number or boolean', () => {
    expect(sameConfig({ progressTimeout: '5' }, { progressTimeout: 5 })).toBe(false);
    expect(sameConfig({ allowPostCopy: 'true' }, { allowPostCopy: true })).toBe(false);
    expect(sameConfig({ allowPostCopy: 'true' }, { allowPostCopy: 'true' })).toBe(true);
    expect(sameConfig({ progressTimeout: { a: 1 } }, { progressTimeout: { a: 2 } })).toBe(false);
  });

  it('quantities compare by value; protected keys, unknown keys and nulls do not count', () => {
    expect(
      sameConfig({ bandwidthPerMigration: '1Gi', network: 'x', nodeDrainTaintKey: 'y', foo: 1, progressTimeout: null }, { bandwidthPerMigration: 1073741824 }),
    ).toBe(true);
    expect(sameConfig({ bandwidthPerMigration: '1Gi' }, { bandwidthPerMigration: '1G' })).toBe(false);
    expect(sameConfig('not an object', {})).toBe(true);
  });
});
