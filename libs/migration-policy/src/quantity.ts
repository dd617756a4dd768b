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
export const QUANTITY_PATTERN = '^([+-])?(?:([0-9]+)(?:\\.([0-9]*))?|\\.([0-9]+))(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([numkMGTPE])|[eE]([+-])?([0-9]+))?$';

const PATTERN = new RegExp(QUANTITY_PATTERN);

const BINARY: Readonly<Record<string, bigint>> = { Ki: 10n, Mi: 20n, Gi: 30n, Ti: 40n, Pi: 50n, Ei: 60n };
const DECIMAL: Readonly<Record<string, bigint>> = { n: -9n, u: -6n, m: -3n, k: 3n, M: 6n, G: 9n, T: 12n, P: 15n, E: 18n };

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

const fraction = (num: bigint, den: bigint): Fraction => {
  const g = gcd(num, den);
  return g === 0n ? { num: 0n, den: 1n } : { num: num / g, den: den / g };
};

export type QuantityParse =
  { readonly ok: true; readonly value: Fraction } | { readonly ok: false; readonly reason: 'syntax' | 'magnitude'; readonly sign: 1 | -1 };

/**
 * Parses a quantity string. `magnitude` means the text is well-formed but its decimal exponent is
 * so large (or small) that it was not expanded; `sign` then tells which way.
 */
export const parseQuantity = (text: string): QuantityParse => {
  const m = PATTERN.exec(text);
  if (m === null) return { ok: false, reason: 'syntax', sign: 1 };
  const [, sign, intPart, fracPart, onlyFrac, binary, decimal, expSign, expDigitsRaw] = m;
  const digits = (intPart ?? '') + (fracPart ?? onlyFrac ?? '');
  const fracLen = BigInt((fracPart ?? onlyFrac ?? '').length);
  let mantissa = BigInt(digits === '' ? '0' : digits);
  if (sign === '-') mantissa = -mantissa;
  if (mantissa === 0n) return { ok: true, value: { num: 0n, den: 1n } };

  let exp10 = -fracLen;
  let exp2 = 0n;
  if (binary !== undefined) exp2 = BINARY[binary] ?? 0n;
  else if (decimal !== undefined) exp10 += DECIMAL[decimal] ?? 0n;
  else if (expDigitsRaw !== undefined) {
    const expDigits = expDigitsRaw.replace(/^0+(?=.)/, '');
    if (expDigits.length > 6) return { ok: false, reason: 'magnitude', sign: expSign === '-' ? -1 : 1 };
    exp10 += BigInt(expSign === '-' ? `-${expDigits}` : expDigits);
  }
  if (exp10 > EXPONENT_LIMIT || exp10 < -EXPONENT_LIMIT) {
    return { ok: false, reason: 'magnitude', sign: exp10 > 0n ? 1 : -1 };
  }
  let num = mantissa << (exp2 > 0n ? exp2 : 0n);
  let den = 1n;
  if (exp10 >= 0n) num *= 10n ** exp10;
  else den = 10n ** -exp10;
  return { ok: true, value: fraction(num, den) };
};

/** Exact value of a JSON number: only safe integers are exact, so only they are accepted. */
export const numberQuantity = (n: number): Fraction | undefined => (Number.isSafeInteger(n) ? { num: BigInt(n), den: 1n } : undefined);

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
