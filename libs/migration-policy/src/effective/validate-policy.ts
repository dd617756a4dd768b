import * as E from 'fp-ts/lib/Either.js';

import { decodeConfigObject } from '../config.js';
import { at, isRecord } from '../json.js';
import type { Violation } from '../violation.js';
import { type ConfigWarning, configWarnings } from '../warnings.js';
import { decodeMigrationPolicy, POLICY_OPTIONS } from './policy.js';

/** The verdict on one MigrationPolicy: every violation and every warning. */
export interface PolicyVerdict {
  /** `metadata.name`, or undefined when it has none. */
  readonly name: string | undefined;
  readonly violations: readonly Violation[];
  readonly warnings: readonly ConfigWarning[];
}

const REQUIRED = 'the MigrationPolicy CRD requires it, and without it KubeVirt matches the policy to no VMI';
const selectorsRequired: Violation = {
  reason: 'FieldValueInvalid',
  field: 'spec.selectors',
  message: `Required value: ${REQUIRED}`,
  path: ['spec', 'selectors'],
  detail: REQUIRED,
};

/**
 * Checks a MigrationPolicy as `validate --policy` does (docs/semantics.md §7): what KubeVirt would
 * refuse or drop, a missing `spec.selectors`, and the Setting's own bounds and warnings for the same
 * options (fields named from `spec`).
 */
export const validatePolicy = (object: unknown, policyFields?: ReadonlySet<string>): PolicyVerdict => {
  const rawName = at(object, 'metadata', 'name');
  const name = typeof rawName === 'string' && rawName !== '' ? rawName : undefined;
  const decoded = decodeMigrationPolicy(object, policyFields);
  const violations: Violation[] = E.isLeft(decoded) ? [...decoded.left] : [];
  const spec = at(object, 'spec');
  if (isRecord(spec) && (spec['selectors'] === undefined || spec['selectors'] === null))
    violations.push(selectorsRequired);
  const reported = new Set(violations.map((v) => v.field));
  const options = isRecord(spec)
    ? Object.fromEntries(
        POLICY_OPTIONS.flatMap((k) => (reported.has(`spec.${k}`) || spec[k] === undefined ? [] : [[k, spec[k]]])),
      )
    : {};
  const asSetting = decodeConfigObject(options, ['spec']);
  if (E.isLeft(asSetting)) violations.push(...asSetting.left);
  return { name, violations, warnings: E.isRight(asSetting) ? configWarnings(asSetting.right, 'spec') : [] };
};
