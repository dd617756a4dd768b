import { join } from 'node:path';

import { type Fraction, parseQuantity } from '../src/quantity.js';
import { bandwidthPattern170 } from './crd-files.js';
import { askGoOracle, BUILD_TIMEOUT_MS, buildGoOracle } from './go-oracle.js';

/**
 * The quantity grammar against the code no one here wrote: apimachinery's resource.ParseQuantity
 * (v0.34, the parser KubeVirt decodes bandwidthPerMigration with), built from the Go module proxy
 * into the project's cache, over a generated corpus. What the library accepts must be exactly what
 * ParseQuantity accepts and the CRD's pattern lets through (the API server checks the pattern
 * before anything else), and every accepted text must have the value apimachinery gives it.
 */
const ORACLE_DIR = join(__dirname, 'apimachinery-oracle');

const buildOracle = (): string => buildGoOracle(ORACLE_DIR, 'quantity-oracle');

/** A deterministic corpus: every combination of the parts below, and texts from a seeded generator. */
const corpus = (): string[] => {
  const signs = ['', '+', '-'];
  const ints = [
    '',
    '0',
    '00',
    '1',
    '5',
    '10',
    '007',
    '1024',
    '123456789',
    '9223372036854775807',
    '9223372036854775808',
    '123456789012345678901234',
  ];
  const fracs = ['', '.', '.0', '.5', '.25', '.000000001', '.0000000001', '.1234567890123'];
  const suffixes = [
    '',
    'Ki',
    'Mi',
    'Gi',
    'Ti',
    'Pi',
    'Ei',
    'n',
    'u',
    'm',
    'k',
    'M',
    'G',
    'T',
    'P',
    'E',
    'e',
    'E',
    'e0',
    'e3',
    'E3',
    'e-3',
    'e+3',
    'e03',
    'e18',
    'e19',
    'e-9',
    'e-10',
    'e3.0',
    'e3.',
    'e.0',
    'e1.5',
    'e+',
    'e-',
    'e400',
    'e-400',
    'e401',
    'e99999',
    'e-99999',
    'e4294967296',
    'e4294967299',
    'e-4294967295',
    'e9223372036854775807',
    'e9223372036854775808',
    'e-9223372036854775808',
    'e-9223372036854775809',
    'e00000000000000000000003',
    'ki',
    'K',
    'mi',
    'Mi3',
    'e3e',
    'i',
    'KiB',
    ' ',
    'Ki ',
    'ee3',
    'e3Ki',
    'kk',
    'MM',
  ];
  const out: string[] = [];
  for (const sign of signs)
    for (const int of ints)
      for (const frac of fracs) for (const suffix of suffixes) out.push(`${sign}${int}${frac}${suffix}`);
  out.push(
    '',
    ' ',
    ' 1',
    '1 ',
    '0x10',
    '1_000',
    '١',
    '--1',
    '+-1',
    '1.2.3',
    'Mi',
    'e3',
    '.e3',
    '.Ki',
    '+.',
    '-.5',
    'NaN',
    'Infinity',
    '1,5',
    '\u00a01',
  );
  let seed = 20261124;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const alphabet = '0123456789.+-eEkKMGTPinum ';
  for (let i = 0; i < 30000; i++) {
    let text = '';
    const length = 1 + random(12);
    for (let j = 0; j < length; j++) text += alphabet[random(alphabet.length)];
    out.push(text);
  }
  return out.filter(finishes);
};

/**
 * apimachinery keeps a decimal exponent as an int32 (wrapping) and then expands it while rounding:
 * a text whose exponent ends up far from zero (1e2147483647, or 1e9999999999 after wrapping) makes
 * ParseQuantity compute a power of ten with billions of digits and never return. Those texts stay
 * out of the corpus (the library refuses them as out of range; quantity.spec.ts pins that).
 */
const finishes = (text: string): boolean => {
  const m = /[eE]([+-]?[0-9]+)$/.exec(text);
  if (m?.[1] === undefined) return true;
  const e = BigInt(m[1]);
  if (e > 2n ** 63n - 1n || e < -(2n ** 63n)) return true;
  const wrapped = BigInt.asIntN(32, e);
  return wrapped <= 100000n && wrapped >= -100000n;
};

const INT64_MAX = 2n ** 63n - 1n;
const NANO = 10n ** 9n;
const abs = (n: bigint): bigint => (n < 0n ? -n : n);

/** What apimachinery makes of an exact value: non-zero values rounded away from zero to 1n, binary-suffixed ones capped at 2^63-1. */
const asApimachinery = (f: Fraction, binary: boolean): Fraction => {
  let { num, den } = f;
  if (num !== 0n && (NANO * num) % den !== 0n) {
    const scaled = (abs(num) * NANO + den - 1n) / den;
    [num, den] = [num < 0n ? -scaled : scaled, NANO];
  }
  if (binary && abs(num) > INT64_MAX * den) [num, den] = [num < 0n ? -INT64_MAX : INT64_MAX, 1n];
  return { num, den };
};
const sameValue = (a: Fraction, b: Fraction): boolean => a.num * b.den === b.num * a.den;
const goValue = ([unscaled, scale]: [string, string]): Fraction => {
  const s = BigInt(scale);
  return s >= 0n ? { num: BigInt(unscaled), den: 10n ** s } : { num: BigInt(unscaled) * 10n ** -s, den: 1n };
};

describe('quantities, differentially against apimachinery ParseQuantity', () => {
  let oracle = '';
  beforeAll(() => {
    oracle = buildOracle();
  }, BUILD_TIMEOUT_MS);

  it('accepts exactly what ParseQuantity accepts and the CRD pattern allows, with the same value', () => {
    const texts = corpus();
    const answers = askGoOracle(oracle, [], texts) as ([string, string] | null)[];
    expect(answers).toHaveLength(texts.length);
    const pattern = bandwidthPattern170();
    const disagreements: string[] = [];
    let accepted = 0;
    texts.forEach((text, i) => {
      const go = answers[i] ?? null;
      const ours = parseQuantity(text);
      const expected = go !== null && pattern.test(text);
      const parsed = ours.ok || ours.reason === 'magnitude';
      if (parsed !== expected) {
        disagreements.push(
          `${JSON.stringify(text)}: apimachinery ${go === null ? 'refuses' : 'accepts'}, the CRD pattern ${pattern.test(text) ? 'matches' : 'does not match'}, ours ${parsed ? 'accepts' : 'refuses'}`,
        );
        return;
      }
      if (go === null || !expected) return;
      accepted++;
      const theirs = goValue(go);
      if (ours.ok) {
        const mine = asApimachinery(ours.value, /[KMGTPE]i$/.test(text));
        if (!sameValue(mine, theirs))
          disagreements.push(
            `${JSON.stringify(text)}: apimachinery ${go[0]}e-${go[1]}, ours ${ours.value.num}/${ours.value.den}`,
          );
      } else if (!(abs(theirs.num) > INT64_MAX * theirs.den || (theirs.num !== 0n && abs(theirs.num) < theirs.den))) {
        // too large or too small to expand: both must place it outside the accepted range
        disagreements.push(
          `${JSON.stringify(text)}: apimachinery ${go[0]}e-${go[1]} is in range, ours calls it out of range`,
        );
      }
    });
    console.log(
      `quantities: ${texts.length} texts compared with apimachinery ParseQuantity; ${accepted} accepted; ${disagreements.length} disagreements`,
    );
    expect(disagreements.slice(0, 20)).toEqual([]);
    expect(accepted).toBeGreaterThan(10000);
  }, 120000);
});
