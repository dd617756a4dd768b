import { SETTING_NAME } from './setting.js';
import { formatViolation, type Violation } from './violation.js';

/** How Kubernetes names the Setting in an error message. */
export const SUBJECT = `Setting.harvesterhci.io "${SETTING_NAME}"`;

/** The Kubernetes "is invalid" message: one cause bare, several in brackets. */
export const invalidMessage = (violations: readonly Violation[]): string => {
  const parts = violations.map(formatViolation);
  return `${SUBJECT} is invalid: ${parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`}`;
};
