/**
 * Kubernetes quantities, exactly (docs/semantics.md §2): what apimachinery's `resource.ParseQuantity`
 * accepts and the CRD's pattern lets through, with values as exact fractions of bigints. No floating
 * point is involved, so `1Gi` equals `1024Mi`, `0` equals `0Mi`, `1e3` equals `1k`, and `1m` is
 * one thousandth, not zero. The CRD's pattern also admits a fractional exponent (`1e3.0`), which
 * ParseQuantity refuses (and KubeVirt then cannot read its own CR): the grammar here does not.
 */

/** An exact value `num / den`, reduced, with `den > 0`. */
export interface Fraction {
  readonly num: bigint;
  readonly den: bigint;
}

/** The grammar, once: sign, digits with an optional fraction, then a binary or decimal suffix or a whole decimal exponent. */
export const QUANTITY_PATTERN =
  '^([+-])?(?:([0-9]+)(?:\\.([0-9]*))?|\\.([0-9]+))(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([numkMGTPE])|[eE]([+-])?([0-9]+))?$';

const PATTERN = new RegExp(QUANTITY_PATTERN);

const BINARY: Readonly<Record<string, bigint>> = { Ki: 10n, Mi: 20n, Gi: 30n, Ti: 40n, Pi: 50n, Ei: 60n };
const DECIMAL: Readonly<Record<string, bigint>> = {
  n: -9n,
  u: -6n,
  m: -3n,
  k: 3n,
  M: 6n,
  G: 9n,
  T: 12n,
  P: 15n,
  E: 18n,
};

/**
 * Decimal exponents beyond this are not expanded into bigints: a non-zero value that large is far
 * above any accepted bound, and one that small is far below one byte. Keeps hostile input cheap.
 */
const EXPONENT_LIMIT = 400n;

const gcd = (a: bigint, b: bigint): bigint => {
  let x = a < 0n ? -a : a;
  let y = b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
};

const reduce = (num: bigint, den: bigint): Fraction => {
  const g = gcd(num, den);
  return g === 0n ? { num: 0n, den: 1n } : { num: num / g, den: den / g };
};

export type QuantityParse =
  | { readonly ok: true; readonly value: Fraction }
  | { readonly ok: false; readonly reason: 'syntax' }
  /** Well-formed, but its decimal exponent is too far from zero to expand: `large` says which way. */
  | { readonly ok: false; readonly reason: 'magnitude'; readonly large: boolean; readonly negative: boolean };

const SYNTAX = { ok: false, reason: 'syntax' } as const;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * The decimal exponent as ParseQuantity keeps it: read as an int64 (a larger one is refused) and
 * then held in an int32, wrapping (`1e4294967299` means 1e3 to apimachinery, and so to KubeVirt).
 */
const exponentOf = (sign: string | undefined, raw: string): bigint | undefined => {
  const digits = raw.replace(/^0+(?=.)/, '');
  if (digits.length > 19) return undefined;
  const e = BigInt(sign === '-' ? `-${digits}` : digits);
  return e < INT64_MIN || e > INT64_MAX ? undefined : BigInt.asIntN(32, e);
};

const signedMantissa = (sign: string | undefined, digits: string): bigint => {
  const magnitude = BigInt(digits === '' ? '0' : digits);
  return sign === '-' ? -magnitude : magnitude;
};

/** The power (of 10 or of 2) a suffix stands for; 0 without one. */
const suffixExponent = (table: Readonly<Record<string, bigint>>, suffix: string | undefined): bigint =>
  suffix === undefined ? 0n : (table[suffix] ?? 0n);

/** Parses a quantity string exactly as apimachinery's ParseQuantity does (within the CRD's pattern). */
export const parseQuantity = (text: string): QuantityParse => {
  const m = PATTERN.exec(text);
  if (m === null) return SYNTAX;
  const [, sign, intPart, fracPart, onlyFrac, binary, decimal, expSign, expDigits] = m;
  const fraction = fracPart ?? onlyFrac ?? '';
  const exponent = expDigits === undefined ? 0n : exponentOf(expSign, expDigits);
  if (exponent === undefined) return SYNTAX;
  const mantissa = signedMantissa(sign, (intPart ?? '') + fraction);
  if (mantissa === 0n) return { ok: true, value: { num: 0n, den: 1n } };

  const exp10 = exponent - BigInt(fraction.length) + suffixExponent(DECIMAL, decimal);
  const exp2 = suffixExponent(BINARY, binary);
  if (exp10 > EXPONENT_LIMIT || exp10 < -EXPONENT_LIMIT)
    return { ok: false, reason: 'magnitude', large: exp10 > 0n, negative: mantissa < 0n };
  const num = (mantissa << exp2) * (exp10 >= 0n ? 10n ** exp10 : 1n);
  const den = exp10 >= 0n ? 1n : 10n ** -exp10;
  return { ok: true, value: reduce(num, den) };
};

/** Exact value of a JSON number: only safe integers are exact, so only they are accepted. */
export const numberQuantity = (n: number): Fraction | undefined =>
  Number.isSafeInteger(n) ? { num: BigInt(n), den: 1n } : undefined;

export const compareFractions = (a: Fraction, b: Fraction): number => {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
};

export const isWhole = (f: Fraction): boolean => f.den === 1n;

/** Canonical text of a value: the same string for every spelling of the same value. */
export const fractionKey = (f: Fraction): string => (f.den === 1n ? `${f.num}` : `${f.num}/${f.den}`);

/** The exact value of a quantity given as a JSON string or number, when it is one. */
export const quantityValue = (raw: unknown): Fraction | undefined => {
  if (typeof raw === 'number') return numberQuantity(raw);
  if (typeof raw !== 'string') return undefined;
  const parsed = parseQuantity(raw);
  return parsed.ok ? parsed.value : undefined;
};

/** The bytes of a bare number (a JSON number, or a string of digits without a suffix or exponent); undefined for anything else. */
export const bareBytes = (raw: string | number): bigint | undefined => {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) ? BigInt(raw) : undefined;
  return /^\+?[0-9]+$/.test(raw) ? BigInt(raw) : undefined;
};

/**
 * The form a quantity is written to the CR in: as given, except a zero written with a fraction or
 * with Pi or Ei (`0.0Gi`, `0Pi`), which apimachinery holds in a form KubeVirt's conversion rejects,
 * is written as the number 0 (docs/semantics.md §2).
 */
export const quantityForCR = (raw: string | number): string | number => {
  if (typeof raw !== 'string') return raw;
  const m = PATTERN.exec(raw);
  if (m === null) return raw;
  const parsed = parseQuantity(raw);
  const [, , , fracPart, onlyFrac, binary] = m;
  const awkward = fracPart !== undefined || onlyFrac !== undefined || binary === 'Pi' || binary === 'Ei';
  return parsed.ok && parsed.value.num === 0n && awkward ? 0 : raw;
};
