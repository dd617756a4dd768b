import type { AdmissionResponse, FailureStatus } from '@kubevirt-migration/migration-policy';

import type { Stylist } from './style.js';

/**
 * The first line of a refusal. An invalid object's status lists its causes in `details`, and its
 * message repeats them after Kubernetes' `<Kind>.<group> "<name>" is invalid`: that subject is
 * told from the details, and the causes are listed below it.
 */
const headline = (s: FailureStatus | undefined): string => {
  if (s?.details === undefined) return s?.message ?? '';
  return `${s.details.kind}.${s.details.group} ${JSON.stringify(s.details.name)} is invalid`;
};

/** A short verdict, then the causes and warnings, for people. */
export const renderVerdict = (r: AdmissionResponse, paint: Stylist): string => {
  const lines: string[] = [];
  if (r.allowed) {
    lines.push(`${paint('green', 'allowed')}`);
  } else {
    const s = r.status;
    lines.push(`${paint('red', 'denied')} (${s?.code ?? '?'} ${s?.reason ?? ''}): ${headline(s)}`);
    for (const c of s?.details?.causes ?? []) lines.push(`  ${paint('red', '✗')} ${c.field}: ${c.message}`);
  }
  for (const w of r.warnings ?? []) lines.push(`  ${paint('yellow', 'warning:')} ${w}`);
  return lines.join('\n');
};
