import { formatViolation, type PolicyVerdict, validatePolicy } from '@kubevirt-migration/migration-policy';

import type { Stylist } from '../render/style.js';
import type { VmiInputs } from '../vmi-inputs.js';
import { type CommandResult, machine, type OutputFormat } from './result.js';

const render = (file: string, verdicts: readonly PolicyVerdict[], paint: Stylist): string =>
  verdicts
    .flatMap((v) => {
      const title = `MigrationPolicy ${v.name ?? '(no name)'} in ${file}`;
      return [
        v.violations.length === 0 ? `${paint('green', 'valid')}: ${title}` : `${paint('red', 'invalid')}: ${title}`,
        ...v.violations.map((x) => `  ${paint('red', '✗')} ${formatViolation(x)}`),
        ...v.warnings.map((w) => `  ${paint('yellow', 'warning:')} ${w.field}: ${w.message}`),
      ];
    })
    .join('\n');

/** `validate --policy`: the rules of docs/semantics.md §7 on every policy of a file; exit 1 when any is invalid. */
export const validatePolicies = async (
  file: string,
  output: OutputFormat,
  inputs: VmiInputs,
  paint: Stylist,
): Promise<CommandResult> => {
  const [read, fields] = await Promise.all([inputs.policies(), inputs.policyFields()]);
  const verdicts = read.map(({ object }) => validatePolicy(object, fields));
  const exitCode = verdicts.some((v) => v.violations.length > 0) ? 1 : 0;
  if (output === 'text') return { stdout: render(file, verdicts, paint), exitCode };
  return {
    stdout: machine(output, {
      policies: verdicts.map((v) => ({ name: v.name ?? null, violations: v.violations, warnings: v.warnings })),
    }),
    exitCode,
  };
};
