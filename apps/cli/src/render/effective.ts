import type { EffectiveConfiguration, Labels } from '@kubevirt-migration/migration-policy';

import type { Stylist } from './style.js';

const showLabels = (labels: Labels | undefined): string =>
  labels === undefined
    ? 'no labels'
    : Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ');

const table = (rows: readonly (readonly string[])[]): string[] => {
  const widths = rows.reduce<number[]>((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), []);
  return rows.map((row) =>
    `  ${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd(),
  );
};

const showValue = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

/** Which policy wins and why, or that none does. */
const policyLines = (e: EffectiveConfiguration, paint: Stylist): string[] => {
  if (e.policy === undefined)
    return [e.choice.scores.length === 0 ? 'policy: none (no MigrationPolicy exists)' : 'policy: none matches'];
  const win = e.choice.scores.find((s) => s.name === e.policy && s.matches);
  const total = (win?.vmiLabels ?? 0) + (win?.namespaceLabels ?? 0);
  const lines = [
    `policy: ${paint('green', e.policy)} wins with ${total} matching label${total === 1 ? '' : 's'} (VMI ${win?.vmiLabels ?? 0}, Namespace ${win?.namespaceLabels ?? 0})`,
  ];
  if (!Object.values(e.sources).includes('policy'))
    lines.push(
      '  it sets no option, so the VMI migrates with the cluster configuration and KubeVirt records no policy for it (quirk 5)',
    );
  return lines;
};

/** The effective configuration for people: the winning policy and why, then every option with its source. */
export const renderEffective = (
  e: EffectiveConfiguration,
  vmiLabels: Labels | undefined,
  nsLabels: Labels | undefined,
  paint: Stylist,
): string => {
  const lines = [
    `VMI ${e.vmi} (${showLabels(vmiLabels)})`,
    `Namespace ${e.vmi.split('/')[0] ?? ''} (${showLabels(nsLabels)})`,
    '',
  ];
  lines.push(...policyLines(e, paint));
  if (e.choice.scores.length > 0) {
    lines.push(
      ...table([
        ['POLICY', 'MATCHES', 'VMI', 'NAMESPACE', 'NOTE'],
        ...e.choice.scores.map((s) => [
          s.name,
          s.matches ? 'yes' : 'no',
          s.matches ? String(s.vmiLabels) : '-',
          s.matches ? String(s.namespaceLabels) : '-',
          s.note ?? '',
        ]),
      ]),
    );
  }
  lines.push(
    '',
    ...table([
      ['OPTION', 'VALUE', 'SOURCE'],
      ...Object.entries(e.configuration).map(([k, v]) => [
        k,
        showValue(v),
        e.sources[k as keyof typeof e.sources] ?? '',
      ]),
    ]),
  );
  lines.push('', `no policy can set: ${e.clusterOnly.join(', ')}`);
  return lines.join('\n');
};
