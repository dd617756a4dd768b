import * as t from 'io-ts';
import { CauseTypes, type CauseType, type Violation, violation } from './violation.js';
import type { OptionKind } from './options.js';
import { parseQuantity, numberQuantity, compareFractions, isWhole, type Fraction } from './quantity.js';

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

/** A codec that accepts a value exactly when `check` finds no problem with it, keeping it as written. */
const optionType = <A>(name: string, check: (u: unknown) => Problem | undefined): t.Type<A, A, unknown> => {
  const accepts = (u: unknown): u is A => check(u) === undefined;
  return new t.Type<A, A, unknown>(
    name,
    accepts,
    (u, c) => {
      if (accepts(u)) return t.success(u);
      const problem = check(u) ?? { cause: 'FieldValueInvalid', detail: `must be ${name}` };
      const marker = markers.get(problem.cause) ?? t.never;
      return t.failure(u, [...c, { key: '', type: marker, actual: u }], problem.detail);
    },
    t.identity,
  );
};

/** Violations for io-ts errors, with paths below `root` (the keys of the context). */
export const violationsOf = (errors: t.Errors, root: string): readonly Violation[] =>
  errors.map((e) => {
    const last = e.context[e.context.length - 1];
    const reason = last !== undefined && isCauseType(last.type.name) ? last.type.name : 'FieldValueInvalid';
    const field = [root, ...e.context.map((entry) => entry.key).filter((k) => k !== '')].join('.');
    return violation(reason, field, e.value, e.message ?? 'is not valid');
  });

const problem = (cause: CauseType, detail: string): Problem => ({ cause, detail });

const IntegerOption = (min: number, max: number): t.Type<number, number, unknown> =>
  optionType<number>(`integer ${min}..${max}`, (u) =>
    typeof u !== 'number' || !Number.isInteger(u)
      ? problem('FieldValueTypeInvalid', `must be an integer from ${min} to ${max}`)
      : u < min || u > max
        ? problem('FieldValueInvalid', `must be from ${min} to ${max}`)
        : undefined,
  );

const BooleanOption = optionType<boolean>('boolean', (u) => (typeof u === 'boolean' ? undefined : problem('FieldValueTypeInvalid', 'must be true or false')));

/** KubeVirt reads the bandwidth as an int64 of bytes per second. */
const INT64_MAX: Fraction = { num: 9223372036854775807n, den: 1n };
const HALF: Fraction = { num: 1n, den: 2n };
const QUANTITY_HELP = 'a whole number of bytes per second, such as 0 (no limit), 64Mi, 1Gi or 500M';
const TOO_LARGE = problem('FieldValueInvalid', 'must be at most 9223372036854775807 bytes per second');

const bytesProblem = (value: Fraction): Problem | undefined => {
  if (value.num < 0n) return problem('FieldValueInvalid', `must not be negative: use ${QUANTITY_HELP}`);
  if (!isWhole(value)) {
    return problem('FieldValueInvalid', `must be a whole number of bytes per second (KubeVirt would round it): use ${QUANTITY_HELP}`);
  }
  return compareFractions(value, INT64_MAX) > 0 ? TOO_LARGE : undefined;
};

const quantityProblem = (u: unknown): Problem | undefined => {
  if (typeof u === 'number') {
    if (!Number.isInteger(u)) return bytesProblem(HALF);
    const exact = numberQuantity(u);
    return exact === undefined ? problem('FieldValueInvalid', 'is too large for an exact JSON number: write it as a quantity string') : bytesProblem(exact);
  }
  if (typeof u !== 'string') return problem('FieldValueTypeInvalid', `must be a quantity string or a number: ${QUANTITY_HELP}`);
  const parsed = parseQuantity(u);
  if (parsed.ok) return bytesProblem(parsed.value);
  if (parsed.reason === 'magnitude') return parsed.sign > 0 ? TOO_LARGE : bytesProblem(HALF);
  return problem('FieldValueInvalid', `must be a Kubernetes quantity without spaces: ${QUANTITY_HELP}`);
};

/** A Kubernetes quantity (string or JSON number) of whole bytes per second, kept as written. */
const QuantityOption = optionType<string | number>('quantity', quantityProblem);

/** A protected option: only "" (or absence, handled by the caller) is accepted. */
const ProtectedOption = (key: string, owner: string): t.Type<'', '', unknown> =>
  optionType<''>('protected', (u) =>
    typeof u !== 'string'
      ? problem('FieldValueTypeInvalid', 'must be a string, and only "" is accepted')
      : u === ''
        ? undefined
        : problem('FieldValueForbidden', `${key} may not be set here: it is owned by ${owner}; only "" or leaving it out is accepted`),
  );

export type OptionCodec =
  t.Type<number, number, unknown> | t.Type<boolean, boolean, unknown> | t.Type<string | number, string | number, unknown> | t.Type<'', '', unknown>;

export const codecFor = (key: string, kind: OptionKind): OptionCodec => {
  switch (kind.type) {
    case 'integer':
      return IntegerOption(kind.min, kind.max);
    case 'boolean':
      return BooleanOption;
    case 'quantity':
      return QuantityOption;
    case 'protected':
      return ProtectedOption(key, kind.owner);
  }
};
