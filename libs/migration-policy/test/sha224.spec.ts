import { createHash } from 'node:crypto';

import fc from 'fast-check';

import { appliedMarker, configMarker, desiredWasApplied, everApplied } from '../src/marker.js';
import { sha224Hex } from '../src/sha224.js';

describe('SHA-224 and the applied marker', () => {
  it.each([
    ['', 'd14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f'],
    ['abc', '23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7'],
  ])('the FIPS 180-4 vector for %j', (text, hex) => {
    expect(sha224Hex(text)).toBe(hex);
  });

  it('agrees with node:crypto on any text, multi-block and non-ASCII included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (text) => {
        expect(sha224Hex(text)).toBe(createHash('sha224').update(text, 'utf8').digest('hex'));
      }),
    );
  });

  it('encodes a lone surrogate as U+FFFD, as node:crypto and Go do', () => {
    expect(sha224Hex('a\ud800b')).toBe(createHash('sha224').update('a\ud800b', 'utf8').digest('hex'));
    expect(sha224Hex('\udc00')).toBe(createHash('sha224').update('\ufffd', 'utf8').digest('hex'));
  });

  it('the marker is SHA-224 of value followed by the upgrade-patched annotation', () => {
    const annotations = { 'harvesterhci.io/upgrade-patched': 'v1.5.0' };
    expect(appliedMarker({ value: '{}', annotations })).toBe(createHash('sha224').update('{}v1.5.0').digest('hex'));
    expect(appliedMarker({ value: undefined, annotations: {} })).toBe(sha224Hex(''));
  });

  it('never applied = no hash annotation', () => {
    expect(everApplied({ annotations: {} })).toBe(false);
    expect(everApplied({ annotations: { 'harvesterhci.io/hash': 'x' } })).toBe(true);
  });

  it('the applied-config marker is SHA-224 of the canonical owned options: equal meanings, equal markers', () => {
    expect(configMarker({ bandwidthPerMigration: '1Gi', progressTimeout: 5 })).toBe(
      configMarker({ progressTimeout: 5.0, bandwidthPerMigration: '1024Mi' }),
    );
    expect(configMarker({})).toBe(createHash('sha224').update('[]').digest('hex'));
    expect(configMarker({ progressTimeout: 5 })).toBe(
      createHash('sha224').update('[["progressTimeout",5]]').digest('hex'),
    );
    const marker = configMarker({ progressTimeout: 5 });
    const annotations = { 'kubevirt-migration.harvesterhci.io/applied-config': marker };
    expect(desiredWasApplied({ annotations }, { progressTimeout: 5 })).toBe(true);
    expect(desiredWasApplied({ annotations }, { progressTimeout: 6 })).toBe(false);
    expect(desiredWasApplied({ annotations: {} }, {})).toBe(false);
  });
});

describe('SHA-224: the edges of UTF-8 and of padding', () => {
  it.each([
    ['U+007F', '\u007f'],
    ['U+0080', '\u0080'],
    ['U+07FF', '\u07ff'],
    ['U+0800', '\u0800'],
    ['U+D7FF', '\ud7ff'],
    ['U+E000', '\ue000'],
    ['U+FFFF', '\uffff'],
    ['U+10000', '\ud800\udc00'],
    ['U+10FFFF', '\udbff\udfff'],
    ['an emoji', '😀'],
    ['a high surrogate at the end', 'a\udbff'],
    ['a high surrogate before a non-surrogate', '\ud800a'],
    ['two high surrogates', '\ud800\ud800'],
    ['a low then a high surrogate', '\udc00\ud800'],
  ])('%s', (_name, text) => {
    expect(sha224Hex(text)).toBe(createHash('sha224').update(text, 'utf8').digest('hex'));
  });

  it.each([0, 1, 54, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 1000])('%d bytes', (n) => {
    const text = 'x'.repeat(n);
    expect(sha224Hex(text)).toBe(createHash('sha224').update(text).digest('hex'));
  });
});
