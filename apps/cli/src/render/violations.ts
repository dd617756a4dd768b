import { formatViolation, type Violation } from '@kubevirt-migration/migration-policy';

import type { Stylist } from './style.js';

export const renderViolations = (violations: readonly Violation[], paint: Stylist, indent = '  '): string =>
  violations.map((v) => `${indent}${paint('red', '✗')} ${formatViolation(v)}`).join('\n');
