import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';

import { JsonNumber } from './json-text.js';
import type { OptionKind } from './options.js';
import {
  compareFractions,
  type Fraction,
  isWhole,
  numberQuantity,
  parseQuantity,
  type QuantityParse,
} from './quantity.js';
import { type CauseType, CauseTypes, type FieldPath, type Violation, violation } from './violation.js';

/**
 * io-ts codecs for the option kinds. A failure records its Kubernetes cause type as the last entry
 * of the io-ts context (a marker type named after the cause), so that one decode reports every
 * problem with its type, and `violationsOf` turns io-ts errors into violations without guessing.
 */

interface Problem {
  readonly cause: CauseType;
  readonly detail: string;
}

const markers: ReadonlyMap<string, t.Type<never>> = new Map(
  CauseTypes.map((cause) => [cause, new t.Type<never>(cause, (_u): _u is never => false, t.failure, t.identity)]),
);

const isCauseType = (name: string): name is CauseType => (CauseTypes as readonly string[]).includes(name);

/** A codec that accepts a value exactly when `check` gives it back (as written; a JSON number as its double). */
const optionType = <A>(name: string, check: (u: unknown) => E.Either<Problem, A>): t.Type<A, A, unknown> =>
  new t.Type<A, A, unknown>(
    name,
    (u): u is A => E.isRight(check(u)) && !(u instanceof JsonNumber),
    (u, c) => {
      const checked = check(u);
      if (E.isRight(checked)) return t.success(checked.right);
      const marker = markers.get(checked.left.cause) ?? t.never;
      return t.failure(u, [...c, { key: '', type: marker, actual: u }], checked.left.detail);
    },
    t.identity,
  );

/** Violations for io-ts errors, with paths below `root` (the keys of the context). */
export const violationsOf = (errors: t.Errors, root: FieldPath): readonly Violation[] =>
  errors.map((e) => {
    const last = e.context[e.context.length - 1];
    const reason = last !== undefined && isCauseType(last.type.name) ? last.type.name : 'FieldValueInvalid';
    const path = [...root, ...e.context.map((entry) => entry.key).filter((k) => k !== '')];
    return violation(reason, path, e.value, e.message ?? 'is not valid');
  });

const problem = (cause: CauseType, detail: string): E.Either<Problem, never> => E.left({ cause, detail });

/** The exact value of a number: from the text it was written as when known, else from the double (exact only when safe). */
const exactNumber = (u: number | JsonNumber): QuantityParse => {
  if (u instanceof JsonNumber) return parseQuantity(u.text);
  const exact = numberQuantity(u);
  return exact !== undefined
    ? { ok: true, value: exact }
    : { ok: false, reason: 'magnitude', large: Number.isInteger(u) || !Number.isFinite(u), negative: u < 0 };
};

const numberOf = (u: number | JsonNumber): number => (u instanceof JsonNumber ? u.value : u);

/** An integer as Go's encoding/json writes and reads it: digits with an optional minus sign, no fraction, no exponent. */
const PLAIN_INTEGER = /^-?(?:0|[1-9][0-9]*)$/;

/**
 * An integer in range, written as Go's encoding/json decodes into an integer field (Harvester
 * unmarshals the Setting's text into KubeVirt's MigrationConfiguration): `5.0` and `1e3` have whole
 * values but are refused with their plain form. Negative values get KubeVirt's own words.
 */
export const IntegerOption = (min: number, max: number): t.Type<number, number, unknown> =>
  optionType<number>(`integer ${min}..${max}`, (u) => {
    const notInteger = problem('FieldValueTypeInvalid', `must be an integer from ${min} to ${max}`);
    const outOfRange = problem('FieldValueInvalid', `must be from ${min} to ${max}`);
    const negative = problem('FieldValueInvalid', `must not be negative: use an integer from ${min} to ${max}`);
    if (typeof u !== 'number' && !(u instanceof JsonNumber)) return notInteger;
    const exact = exactNumber(u);
    if (!exact.ok)
      return exact.reason === 'magnitude' && exact.large ? (exact.negative ? negative : outOfRange) : notInteger;
    if (!isWhole(exact.value)) return notInteger;
    if (exact.value.num < 0n) return negative;
    if (exact.value.num < BigInt(min) || exact.value.num > BigInt(max)) return outOfRange;
    if (u instanceof JsonNumber && !PLAIN_INTEGER.test(u.text)) {
      return problem(
        'FieldValueTypeInvalid',
        `must be an integer written as plain digits, without a fraction or exponent, as Go decodes it: write ${exact.value.num}`,
      );
    }
    return E.right(numberOf(u));
  });

export const BooleanOption = optionType<boolean>('boolean', (u) =>
  typeof u === 'boolean' ? E.right(u) : problem('FieldValueTypeInvalid', 'must be true or false'),
);

const QUANTITY_HELP = 'a whole number of bytes per second, such as 0 (no limit), 64Mi, 1Gi or 500M';
const NEGATIVE = problem('FieldValueInvalid', `must not be negative: use ${QUANTITY_HELP}`);
const NOT_WHOLE = problem(
  'FieldValueInvalid',
  `must be a whole number of bytes per second (KubeVirt would round it): use ${QUANTITY_HELP}`,
);
const tooLarge = (max: bigint): E.Either<Problem, never> =>
  problem('FieldValueInvalid', `must be at most ${max} bytes per second`);

const bytesProblem = (value: Fraction, max: bigint): E.Either<Problem, true> =>
  value.num < 0n
    ? NEGATIVE
    : !isWhole(value)
      ? NOT_WHOLE
      : compareFractions(value, { num: max, den: 1n }) > 0
        ? tooLarge(max)
        : E.right(true);

/**
 * KubeVirt decodes the bandwidth with ParseQuantity whether it is a JSON string or a JSON number (a
 * number's own text is parsed), so both are judged by the quantity grammar and their exact value.
 */
const judgeQuantity = (parsed: QuantityParse, max: bigint): E.Either<Problem, true> =>
  parsed.ok
    ? bytesProblem(parsed.value, max)
    : parsed.reason === 'syntax'
      ? problem(
          'FieldValueInvalid',
          `is not a Kubernetes quantity (digits, then at most one suffix: Ki, Mi, Gi, Ti, Pi, Ei, k, M, G, T, P, E, or a whole exponent such as e3; no spaces): use ${QUANTITY_HELP}`,
        )
      : parsed.negative
        ? NEGATIVE
        : parsed.large
          ? tooLarge(max)
          : NOT_WHOLE;

/**
 * A JSON number is kept as a double and written to the CR as one: a number that a double cannot
 * hold exactly (2^63-1 becomes 2^63) would reach KubeVirt as another value, so it must be a string.
 */
const exactAsDouble = (u: number | JsonNumber): E.Either<Problem, number> => {
  const exact = exactNumber(u);
  const d = numberOf(u);
  return exact.ok && Number.isInteger(d) && BigInt(d) * exact.value.den === exact.value.num
    ? E.right(d)
    : problem(
        'FieldValueInvalid',
        `is more than a JSON number holds exactly (it would be stored as ${String(d)}): write it as a quantity string`,
      );
};

/** A quantity of bytes per second, from 0 to `max`. */
const QuantityOption = (max: bigint): t.Type<string | number, string | number, unknown> =>
  optionType<string | number>('quantity', (u) => {
    if (typeof u === 'string') return E.map((): string | number => u)(judgeQuantity(parseQuantity(u), max));
    if (typeof u === 'number' || u instanceof JsonNumber) {
      const judged = judgeQuantity(exactNumber(u), max);
      return E.isLeft(judged) ? judged : exactAsDouble(u);
    }
    return problem('FieldValueTypeInvalid', `must be a quantity string or a number: ${QUANTITY_HELP}`);
  });

/** A protected option: only "" (or absence, handled by the caller) is accepted. */
const ProtectedOption = (key: string, owner: string): t.Type<'', '', unknown> =>
  optionType<''>('protected', (u) =>
    typeof u !== 'string'
      ? problem('FieldValueTypeInvalid', 'must be a string, and only "" is accepted')
      : u === ''
        ? E.right('')
        : problem(
            'FieldValueForbidden',
            `${key} may not be set here: it is owned by ${owner}; only "" or leaving it out is accepted`,
          ),
  );

export type OptionCodec =
  | t.Type<number, number, unknown>
  | t.Type<boolean, boolean, unknown>
  | t.Type<string | number, string | number, unknown>
  | t.Type<'', '', unknown>;

export const codecFor = (key: string, kind: OptionKind): OptionCodec => {
  switch (kind.type) {
    case 'integer':
      return IntegerOption(kind.min, kind.max);
    case 'boolean':
      return BooleanOption;
    case 'quantity':
      return QuantityOption(kind.max);
    case 'protected':
      return ProtectedOption(key, kind.owner);
  }
};

/**
 * `bandwidthPerMigration` of a MigrationPolicy as KubeVirt 1.7.0 lets it through (docs/semantics.md
 * §7): the CRD takes an integer or a quantity string, and the admitter refuses only a negative
 * value; fractions and values beyond int64 pass.
 */
export const PolicyQuantity = optionType<string | number>('policy quantity', (u) => {
  if (typeof u === 'number' || u instanceof JsonNumber) {
    const n = numberOf(u);
    if (!Number.isSafeInteger(n))
      return problem(
        'FieldValueTypeInvalid',
        'must be an integer or a quantity string (the CRD takes no fractional number)',
      );
    return n < 0 ? problem('FieldValueInvalid', 'must not be negative') : E.right(n);
  }
  if (typeof u !== 'string')
    return problem('FieldValueTypeInvalid', `must be a quantity string or an integer: ${QUANTITY_HELP}`);
  const parsed = parseQuantity(u);
  if (!parsed.ok && parsed.reason === 'syntax')
    return problem('FieldValueInvalid', `is not a Kubernetes quantity: use ${QUANTITY_HELP}`);
  const negative = parsed.ok ? parsed.value.num < 0n : parsed.negative;
  return negative ? problem('FieldValueInvalid', 'must not be negative') : E.right(u);
});
