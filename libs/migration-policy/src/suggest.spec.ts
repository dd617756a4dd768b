import { OWNED_KEYS } from './options.js';
import { distance, nearest } from './suggest.js';

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

  it.each([
    'fooBar',
    '__proto__',
    'constructor',
    'x',
    'network',
    'nodeDrainTaint',
    'migrationNetwork',
    'bandwidthPerMigrationLimitInMegabytes',
  ])('%s is no likely typo of a settable key: no suggestion', (word) => {
    expect(nearest(word, OWNED_KEYS)).toBeUndefined();
  });

  it('stays cheap on a hostile key', () => {
    expect(nearest('x'.repeat(100000), OWNED_KEYS)).toBeUndefined();
  });
});

describe('edit distance (optimal string alignment, case-insensitive)', () => {
  it.each([
    ['', '', 0],
    ['a', '', 1],
    ['', 'abc', 3],
    ['abc', 'abc', 0],
    ['ABC', 'abc', 0],
    ['abc', 'abd', 1],
    ['abc', 'ab', 1],
    ['ab', 'abc', 1],
    ['ab', 'ba', 1],
    ['abcd', 'acbd', 1],
    ['abcd', 'badc', 2],
    ['ca', 'abc', 3],
    ['kitten', 'sitting', 3],
    ['flaw', 'lawn', 2],
    ['xab', 'xba', 1],
    ['abx', 'bax', 1],
    ['abcdef', 'badcfe', 3],
  ])('%j to %j is %d', (a, b, d) => {
    expect(distance(a, b)).toBe(d);
    expect(distance(b, a)).toBe(d);
  });
});

describe('the likely-typo threshold', () => {
  it('one edit in three characters, plus one', () => {
    // "abcdef" (6 characters) may be 3 edits away; "abcde" only 2
    expect(nearest('xyzdef', ['abcdef'])).toBe('abcdef');
    expect(nearest('xyzdefghi', ['abcdefghi'])).toBe('abcdefghi');
    expect(nearest('xyzde', ['abcde'])).toBeUndefined();
  });

  it('a shortened name is one more than its distance to the candidate prefix', () => {
    expect(nearest('abcd', ['abcdefghijklmnop'])).toBe('abcdefghijklmnop');
    expect(nearest('abxd', ['abcdefghijklmnop'])).toBe('abcdefghijklmnop');
    expect(nearest('axxd', ['abcdefghijklmnop'])).toBeUndefined();
  });

  it('ties go to the first candidate', () => {
    expect(nearest('abx', ['aby', 'abz'])).toBe('aby');
    expect(nearest('abx', ['abz', 'aby'])).toBe('abz');
  });

  it('a nearer later candidate wins', () => {
    expect(nearest('abcx', ['abyy', 'abcy'])).toBe('abcy');
  });
});
