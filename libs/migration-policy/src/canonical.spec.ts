import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';

import { canonicalize, sameConfig } from './canonical.js';
import { decodeConfigText } from './config.js';
import { validConfig } from './testing/arbitraries.js';
import { configWarnings } from './warnings.js';

describe('canonical comparison', () => {
  it.each<[string, object, object, boolean]>([
    [
      'key order',
      { a: 1, parallelMigrationsPerCluster: 3, progressTimeout: 4 },
      { progressTimeout: 4, parallelMigrationsPerCluster: 3 },
      true,
    ],
    ['quantities by value', { bandwidthPerMigration: '1Gi' }, { bandwidthPerMigration: 1073741824 }, true],
    ['0 and 0Mi', { bandwidthPerMigration: 0 }, { bandwidthPerMigration: '0Mi' }, true],
    ['nulls dropped', { progressTimeout: null }, {}, true],
    ['protected keys dropped', { network: 'x', nodeDrainTaintKey: 'y' }, {}, true],
    ['absent is not the default', { parallelMigrationsPerCluster: 5 }, {}, false],
    ['different values', { allowPostCopy: true }, { allowPostCopy: false }, false],
    [
      'an invalid quantity differs from any valid one',
      { bandwidthPerMigration: 'x' },
      { bandwidthPerMigration: 0 },
      false,
    ],
    ['a string is not a number', { progressTimeout: '5' }, { progressTimeout: 5 }, false],
  ])('%s', (_name, a, b, same) => {
    expect(sameConfig(a, b)).toBe(same);
    expect(sameConfig(b, a)).toBe(same);
  });
});

describe('canonical forms', () => {
  it('numbers and booleans stand for themselves, quantities by their value, anything else as not valid', () => {
    expect(
      canonicalize({
        parallelMigrationsPerCluster: 5,
        allowAutoConverge: true,
        bandwidthPerMigration: '1Gi',
        progressTimeout: '150',
        network: null,
      }),
    ).toEqual(
      new Map<string, unknown>([
        ['parallelMigrationsPerCluster', 5],
        ['bandwidthPerMigration', 'q:1073741824'],
        ['progressTimeout', 'invalid:"150"'],
        ['allowAutoConverge', true],
      ]),
    );
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
      sameConfig(
        { bandwidthPerMigration: '1Gi', network: 'x', nodeDrainTaintKey: 'y', foo: 1, progressTimeout: null },
        { bandwidthPerMigration: 1073741824 },
      ),
    ).toBe(true);
    expect(sameConfig({ bandwidthPerMigration: '1Gi' }, { bandwidthPerMigration: '1G' })).toBe(false);
    expect(sameConfig('not an object', {})).toBe(true);
  });
});

describe('decoded configurations are frozen, and their canonical form and warnings are computed once', () => {
  const decode = (text: string) => {
    const d = decodeConfigText(text, 'value');
    if (E.isLeft(d)) throw new Error(`expected a configuration: ${JSON.stringify(d.left)}`);
    return d.right;
  };

  it('the same text gives the same frozen object; a decode failure is frozen too', () => {
    const a = decode('{"bandwidthPerMigration":"64Mi","progressTimeout":20}');
    expect(Object.isFrozen(a)).toBe(true);
    expect(decode('{"bandwidthPerMigration":"64Mi","progressTimeout":20}')).toBe(a);
    expect(() => {
      (a as Record<string, unknown>)['progressTimeout'] = 1;
    }).toThrow(TypeError);
    const bad = decodeConfigText('{"progressTimeout":-1}', 'value');
    expect(E.isLeft(bad) && Object.isFrozen(bad.left)).toBe(true);
  });

  it('a frozen configuration and an equal object that is not frozen have the same canonical form and warnings', () => {
    fc.assert(
      fc.property(validConfig, (config) => {
        const frozen = decode(JSON.stringify(config));
        const copy = { ...frozen };
        expect([...canonicalize(frozen)]).toEqual([...canonicalize(copy)]);
        expect(canonicalize(frozen)).toBe(canonicalize(frozen));
        expect(configWarnings(frozen, 'value')).toEqual(configWarnings(copy, 'value'));
        expect(configWarnings(frozen, 'v')).toEqual(configWarnings(copy, 'v'));
        expect(sameConfig(frozen, copy)).toBe(true);
      }),
    );
  });

  it('an object that is not frozen is read again each time: a change to it is seen', () => {
    const block: Record<string, unknown> = { bandwidthPerMigration: '1Gi' };
    expect(canonicalize(block).get('bandwidthPerMigration')).toBe('q:1073741824');
    block['bandwidthPerMigration'] = '2Gi';
    expect(canonicalize(block).get('bandwidthPerMigration')).toBe('q:2147483648');
    const config: Record<string, unknown> = { progressTimeout: 5 };
    expect(configWarnings(config, 'value')).toHaveLength(1);
    config['progressTimeout'] = 150;
    expect(configWarnings(config, 'value')).toHaveLength(0);
  });
});
