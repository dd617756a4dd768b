import { JsonNumber } from './json-text.js';

/**
 * Violations are data, as apimachinery's `field.Error` is: a cause type, the field's path as keys
 * and the detail, all of them returned together. Each is rendered once, here, into the `field` and
 * `message` of a Kubernetes `StatusCause`, so that the webhook returns it as is and the CLI prints
 * it in the familiar `field: message` form; programs read `path` and `detail`, never the text.
 */

/** The kind of a violation, as Kubernetes names the cause of an invalid field (`metav1.CauseType`). */
export type CauseType =
  | 'FieldValueInvalid'
  | 'FieldValueTypeInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueDuplicate';

export const CauseTypes: readonly CauseType[] = [
  'FieldValueInvalid',
  'FieldValueTypeInvalid',
  'FieldValueNotSupported',
  'FieldValueForbidden',
  'FieldValueDuplicate',
];

/** The keys from the root of what was decoded to a field: `['value', 'progressTimeout']`. */
export type FieldPath = readonly string[];

/** One problem of a setting: its cause, where it is and what is wrong, and their Kubernetes rendering. */
export interface Violation {
  readonly reason: CauseType;
  /** `path` as Kubernetes writes it (`value.progressTimeout`, `value["has space"]`). */
  readonly field: string;
  /** The error body as Kubernetes writes it, with the offending value (`Invalid value: 0: must be from 1 to 2147483647`). */
  readonly message: string;
  /** The field's path as keys (`['value', 'progressTimeout']`): what a program reads. */
  readonly path: FieldPath;
  /** What is wrong and what is accepted, without the offending value (`must be from 1 to 2147483647`). */
  readonly detail: string;
}

/** The longest rendering of an offending value inside a message; longer values are cut. */
const MAX_SHOWN = 64;

/** Renders a value as Kubernetes does in an error body: JSON (a number as it was written), cut when long. */
const showValue = (value: unknown): string => {
  let text: string;
  try {
    text = value instanceof JsonNumber ? value.text : value === undefined ? 'undefined' : JSON.stringify(value);
  } catch {
    text = '(a value nested too deeply to show)';
  }
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 3)}...` : text;
};

/** The error body of each cause type, as apimachinery's `field.Error.ErrorBody` words it. */
const bodyOf = (reason: CauseType, value: unknown, detail: string): string => {
  switch (reason) {
    case 'FieldValueInvalid':
    case 'FieldValueTypeInvalid':
      return `Invalid value: ${showValue(value)}: ${detail}`;
    case 'FieldValueNotSupported':
      return `Unsupported value: ${showValue(value)}: ${detail}`;
    case 'FieldValueForbidden':
      return `Forbidden: ${detail}`;
    case 'FieldValueDuplicate':
      return `Duplicate value: ${showValue(value)}: ${detail}`;
  }
};

/** `parent.key`, or `parent["key"]` for a key that is not a plain identifier, as Kubernetes paths read. */
export const childPath = (parent: string, key: string): string =>
  /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;

/** A path as Kubernetes writes it: the root as it is, then each key as `childPath` adds it. */
export const renderPath = (path: FieldPath): string => path.slice(1).reduce(childPath, path[0] ?? '');

/** A violation of any cause type, with Kubernetes' rendering of its path and its error body. */
export const violation = (reason: CauseType, path: FieldPath, value: unknown, detail: string): Violation => ({
  reason,
  field: renderPath(path),
  message: bodyOf(reason, value, detail),
  path,
  detail,
});

export const invalid = (path: FieldPath, value: unknown, detail: string): Violation =>
  violation('FieldValueInvalid', path, value, detail);

export const typeInvalid = (path: FieldPath, value: unknown, detail: string): Violation =>
  violation('FieldValueTypeInvalid', path, value, detail);

export const notSupported = (path: FieldPath, value: unknown, detail: string): Violation =>
  violation('FieldValueNotSupported', path, value, detail);

/** `field: message`, the form of one entry of a Kubernetes "is invalid" message. */
export const formatViolation = (v: Pick<Violation, 'field' | 'message'>): string => `${v.field}: ${v.message}`;
