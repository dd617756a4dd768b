import fc from 'fast-check';

import { bareBytes, compareFractions, fractionKey, parseQuantity, quantityForCR, quantityValue } from './quantity.js';

const value = (text: string): string => {
  const parsed = parseQuantity(text);
  return parsed.ok
    ? fractionKey(parsed.value)
    : parsed.reason === 'syntax'
      ? 'syntax'
      : `${parsed.negative ? '-' : '+'}${parsed.large ? 'large' : 'small'}`;
};

describe('Kubernetes quantities', () => {
  it.each([
    ['0', '0'],
    ['0Mi', '0'],
    ['-0', '0'],
    ['1Gi', '1073741824'],
    ['1024Mi', '1073741824'],
    ['1e3', '1000'],
    ['1E3', '1000'],
    ['1k', '1000'],
    ['1.5k', '1500'],
    ['1.5Ki', '1536'],
    ['.5Ki', '512'],
    ['5.', '5'],
    ['+5', '5'],
    ['-5', '-5'],
    ['1m', '1/1000'],
    ['0.5', '1/2'],
    ['500n', '1/2000000'],
    ['3u', '3/1000000'],
    ['2M', '2000000'],
    ['2G', '2000000000'],
    ['1T', '1000000000000'],
    ['1P', '1000000000000000'],
    ['1E', '1000000000000000000'],
    ['1Ei', '1152921504606846976'],
    ['1Pi', '1125899906842624'],
    ['1Ti', '1099511627776'],
    ['1e-3', '1/1000'],
    ['1e+3', '1000'],
    ['0e99999999', '0'],
    ['1e400', '1' + '0'.repeat(400)],
    ['1e-400', `1/1${'0'.repeat(400)}`],
    ['1e401', '+large'],
    ['-1e401', '-large'],
    ['1e-401', '+small'],
    ['-1e-401', '-small'],
    ['1e99999999', '+large'],
    ['10e399', '1' + '0'.repeat(400)],
    ['0.1e401', '1' + '0'.repeat(400)],
    // apimachinery reads the exponent as an int64 and keeps it as an int32, wrapping
    ['1e4294967296', '1'],
    ['1e4294967299', '1000'],
    ['1e-4294967295', '10'],
    ['1e2147483647', '+large'],
    ['1e2147483648', '+small'],
    ['1e-2147483649', '+large'],
    ['1e9223372036854775807', '1/10'],
    ['1e-9223372036854775808', '1'],
    ['1e00000000000000000000000003', '1000'],
  ])('%s has the exact value %s', (text, expected) => {
    expect(value(text)).toBe(expected);
  });

  // a fractional exponent matches the CRD's pattern but not ParseQuantity (KubeVirt could not read its CR)
  it.each([
    '',
    ' 1',
    '1 ',
    '1Kb',
    'Mi',
    '1.2.3',
    '1ki',
    '1e',
    '1e3.5',
    '1e3.0',
    '1e3.',
    '1e.0',
    '0e1.5',
    'e3',
    '--1',
    '0x10',
    '1_000',
    '١',
    '+',
    '.',
    '+.',
    // an exponent beyond int64 is refused by ParseQuantity, even on a zero
    '1e9223372036854775808',
    '0e9223372036854775808',
    '1e-9223372036854775809',
    `1e${'9'.repeat(100000)}`,
  ])('%j is not a quantity', (text) => {
    expect(value(text)).toBe('syntax');
  });

  it('takes only safe integers from JSON numbers', () => {
    expect(quantityValue(1073741824)).toEqual({ num: 1073741824n, den: 1n });
    expect(quantityValue(2 ** 53)).toBeUndefined();
    expect(quantityValue(0.5)).toBeUndefined();
    expect(quantityValue(true)).toBeUndefined();
  });

  const suffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'k', 'M', 'G', 'T', 'm', 'u', 'n', 'e2', 'e-2', 'e0'] as const;
  const quantity = fc
    .tuple(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.nat({ max: 4 }), fc.constantFrom(...suffixes))
    .map(([digits, point, suffix]) => {
      const s = digits.toString().padStart(point + 1, '0');
      const text = point === 0 ? s : `${s.slice(0, s.length - point)}.${s.slice(s.length - point)}`;
      return `${text}${suffix}`;
    });

  it('comparison is an equivalence consistent with value (reflexive, symmetric, transitive)', () => {
    fc.assert(
      fc.property(quantity, quantity, quantity, (a, b, c) => {
        const [x, y, z] = [a, b, c].map((q) => {
          const p = parseQuantity(q);
          if (!p.ok) throw new Error(`generated ${q} does not parse`);
          return p.value;
        }) as [
          NonNullable<ReturnType<typeof quantityValue>>,
          NonNullable<ReturnType<typeof quantityValue>>,
          NonNullable<ReturnType<typeof quantityValue>>,
        ];
        expect(compareFractions(x, x)).toBe(0);
        // antisymmetry, written as a sum: toBe(-0) fails against 0 under Object.is
        expect(compareFractions(x, y) + compareFractions(y, x)).toBe(0);
        if (compareFractions(x, y) === 0 && compareFractions(y, z) === 0) expect(compareFractions(x, z)).toBe(0);
        expect(compareFractions(x, y) === 0).toBe(fractionKey(x) === fractionKey(y));
      }),
    );
  });

  it('a whole number of bytes and its binary spelling compare equal', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 2 ** 20 }),
        fc.constantFrom(['Ki', 10n], ['Mi', 20n], ['Gi', 30n]),
        (n, [suffix, shift]) => {
          const a = quantityValue(`${n}${suffix}`);
          const b = quantityValue(`${BigInt(n) << shift}`);
          expect(a && b && compareFractions(a, b)).toBe(0);
        },
      ),
    );
  });
});

describe('quantities as the CR holds them', () => {
  it.each<[string | number, string | number]>([
    ['0.0Gi', 0],
    ['0Pi', 0],
    ['0Ei', 0],
    ['0.0', 0],
    ['.0', 0],
    ['-0.0Mi', 0],
    ['0', '0'],
    ['0Mi', '0Mi'],
    ['0Ti', '0Ti'],
    ['0P', '0P'],
    ['1Pi', '1Pi'],
    ['1.5Gi', '1.5Gi'],
    ['64Mi', '64Mi'],
    [0, 0],
    [1024, 1024],
    ['junk', 'junk'],
  ])('%j is written as %j', (raw, written) => {
    expect(quantityForCR(raw)).toBe(written);
  });

  it.each<[string | number, bigint | undefined]>([
    [64, 64n],
    ['64', 64n],
    ['+64', 64n],
    [0, 0n],
    ['64Mi', undefined],
    ['1e3', undefined],
    ['64.0', undefined],
    [2 ** 53, undefined],
  ])('the bare bytes of %j are %s', (raw, bytes) => {
    expect(bareBytes(raw)).toBe(bytes);
  });
});
