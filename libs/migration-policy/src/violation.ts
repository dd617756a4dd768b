import { JsonNumber } from './json-text.js';

/**
 * A violation is one problem found in the setting, shaped like a Kubernetes `StatusCause`
 * (`reason` is the cause type, `field` the path, `message` the error body), so that the webhook
 * can return it as is and the CLI can print it in the familiar `field: message` form.
 */
/** The kind of a violation, as Kubernetes names the cause of an invalid field (`metav1.CauseType`). */
export type CauseType = 'FieldValueInvalid' | 'FieldValueTypeInvalid' | 'FieldValueNotSupported' | 'FieldValueForbidden' | 'FieldValueDuplicate';

export const CauseTypes: readonly CauseType[] = [
  'FieldValueInvalid',
  'FieldValueTypeInvalid',
  'FieldValueNotSupported',
  'FieldValueForbidden',
  'FieldValueDuplicate',
];

/** One problem of a setting: the cause, the field's path (`value.progressTimeout`) and the message. */
export interface Violation {
  readonly reason: CauseType;
  readonly field: string;
  readonly message: string;
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

export const invalid = (field: string, value: unknown, detail: string): Violation => ({
  reason: 'FieldValueInvalid',
  field,
  message: `Invalid value: ${showValue(value)}: ${detail}`,
});

export const typeInvalid = (field: string, value: unknown, detail: string): Violation => ({
  reason: 'FieldValueTypeInvalid',
  field,
  message: `Invalid value: ${showValue(value)}: ${detail}`,
});

export const notSupported = (field: string, value: unknown, detail: string): Violation => ({
  reason: 'FieldValueNotSupported',
  field,
  message: `Unsupported value: ${showValue(value)}: ${detail}`,
});

const duplicate = (field: string, value: unknown, detail: string): Violation => ({
  reason: 'FieldValueDuplicate',
  field,
  message: `Duplicate value: ${showValue(value)}: ${detail}`,
});

const forbidden = (field: string, detail: string): Violation => ({
  reason: 'FieldValueForbidden',
  field,
  message: `Forbidden: ${detail}`,
});

/** `field: message`, the form of one entry of a Kubernetes "is invalid" message. */
export const formatViolation = (v: Violation): string => `${v.field}: ${v.message}`;

/** A violation of any cause type, with Kubernetes' error-body wording for that type. */
export const violation = (reason: CauseType, field: string, value: unknown, detail: string): Violation => {
  switch (reason) {
    case 'FieldValueInvalid':
      return invalid(field, value, detail);
    case 'FieldValueTypeInvalid':
      return typeInvalid(field, value, detail);
    case 'FieldValueNotSupported':
      return notSupported(field, value, detail);
    case 'FieldValueForbidden':
      return forbidden(field, detail);
    case 'FieldValueDuplicate':
      return duplicate(field, value, detail);
  }
};

/** `parent.key`, or `parent["key"]` for a key that is not a plain identifier, as Kubernetes paths read. */
export const childPath = (parent: string, key: string): string =>
  /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
