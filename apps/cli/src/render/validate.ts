import type { AdmissionResponse } from '@kubevirt-migration/migration-policy';
import type { Stylist } from './style.js';

/** A short verdict, then the causes and warnings, for people. */
export const renderVerdict = (r: AdmissionResponse, paint: Stylist): string => {
  const lines: string[] = [];
  if (r.allowed) {
    lines.push(`${paint('green', 'allowed')}`);
  } else {
    const s = r.status;
    lines.push(`${paint('red', 'denied')} (${s?.code ?? '?'} ${s?.reason ?? ''}): ${s?.details ? s.message.replace(/: \[?.*$/s, '') : (s?.message ?? '')}`);
    for (const c of s?.details?.causes ?? []) lines.push(`  ${paint('red', '✗')} ${c.field}: ${c.message}`);
  }
  for (const w of r.warnings ?? []) lines.push(`  ${paint('yellow', 'warning:')} ${w}`);
  return lines.join('\n');
};
