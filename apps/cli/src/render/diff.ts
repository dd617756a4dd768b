import type { Plan } from '@kubevirt-migration/migration-policy';
import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';

import type { Stylist } from './style.js';
import { renderViolations } from './violations.js';

const yaml = (block: unknown): string => stringify(block, { sortMapEntries: true, lineWidth: 0 });

const PATH = 'harvester-system/kubevirt spec.configuration.migrations';

/** A unified diff of the migrations block in YAML, coloured by line. */
const renderUnifiedDiff = (before: unknown, after: unknown, paint: Stylist): string => {
  const patch = createTwoFilesPatch(`${PATH} (current)`, `${PATH} (planned)`, yaml(before), yaml(after), '', '', {
    context: 20,
  });
  return patch
    .split('\n')
    .filter((line) => !line.startsWith('====') && line !== '\\ No newline at end of file')
    .map((line) =>
      line.startsWith('+++') || line.startsWith('---')
        ? paint('bold', line)
        : line.startsWith('+')
          ? paint('green', line)
          : line.startsWith('-')
            ? paint('red', line)
            : line.startsWith('@@')
              ? paint('cyan', line)
              : line,
    )
    .join('\n')
    .trimEnd();
};

/** The events a pass would record, one line each. */
const renderNotices = (p: Plan, paint: Stylist): string[] =>
  p.steps.flatMap((s) =>
    s.kind === 'Event'
      ? [`${paint(s.notice.type === 'Warning' ? 'yellow' : 'cyan', `${s.notice.reason}:`)} ${s.notice.message}`]
      : [],
  );

/** What `diff` shows a person for each outcome. */
export const renderPlan = (p: Plan, before: unknown, after: unknown, paint: Stylist): string => {
  switch (p.outcome) {
    case 'Unchanged':
      return `${paint('green', 'No change:')} the KubeVirt CR already matches the setting.`;
    case 'Applied':
    case 'DriftCorrected':
      return [renderUnifiedDiff(before, after, paint), ...renderNotices(p, paint)].join('\n');
    case 'Adopted':
      return [
        `${paint('yellow', 'Adopt:')} the setting has never been applied and its value is blank, while the KubeVirt CR holds its own options.`,
        'The controller would keep them, writing this as the setting value (the CR is not changed):',
        `  ${p.value}`,
        ...(p.omitted.length > 0
          ? ['These options of the CR fail validation and would be left out:', renderViolations(p.omitted, paint)]
          : []),
      ].join('\n');
    case 'Invalid':
      return [
        `${paint('red', 'Invalid setting:')} the controller would not write the CR.`,
        renderViolations(p.violations, paint),
      ].join('\n');
    case 'FeatureGateMissing':
      return [
        `${paint('red', 'Feature gate missing:')} KubeVirt would refuse the patch, so the controller would not write the CR.`,
        renderViolations(p.violations, paint),
      ].join('\n');
    case 'Ignored':
      return `Nothing to do: ${p.reason}.`;
  }
};
