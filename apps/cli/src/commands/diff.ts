import { planPreview } from '@kubevirt-migration/migration-policy';
import * as E from 'fp-ts/lib/Either.js';

import type { Inputs } from '../inputs.js';
import { InputError } from '../io/errors.js';
import { renderPlan } from '../render/diff.js';
import type { Stylist } from '../render/style.js';
import { type CommandResult, machine, type OutputFormat } from './result.js';

/** The names `diff -o json` gives the outcomes (docs/semantics.md §6). */
const CONTRACT_OUTCOME = {
  Unchanged: 'Unchanged',
  Applied: 'Patch',
  DriftCorrected: 'Patch',
  Adopted: 'Adopt',
  Invalid: 'Invalid',
  FeatureGateMissing: 'Invalid',
} as const;

/** The reconcile plan of docs/semantics.md §5: exit 0 no change, 1 a patch or an adoption, 2 invalid. */
export const diff = async (output: OutputFormat, inputs: Inputs, paint: Stylist): Promise<CommandResult> => {
  const [setting, kubevirt, supportedOptions] = await Promise.all([
    inputs.setting(),
    inputs.kubevirt(),
    inputs.supportedOptions(),
  ]);
  const preview = planPreview({ setting, kubevirt, supportedOptions, now: new Date().toISOString() });
  if (E.isLeft(preview)) throw new InputError(`the planned patch does not apply to the KubeVirt CR: ${preview.left}`);
  const { plan: p, patch, before, after } = preview.right;
  if (p.outcome === 'Ignored') throw new InputError(`nothing to plan: ${p.reason}`);
  const refused = p.outcome === 'Invalid' || p.outcome === 'FeatureGateMissing';
  const exitCode = p.outcome === 'Unchanged' ? 0 : refused ? 2 : 1;
  if (output === 'text') return { stdout: renderPlan(p, before, after, paint), exitCode };
  return {
    stdout: machine(output, {
      outcome: CONTRACT_OUTCOME[p.outcome],
      patch,
      before,
      after,
      violations: refused ? p.violations : p.outcome === 'Adopted' ? p.omitted : [],
      ...(p.outcome === 'Adopted' ? { value: p.value } : {}),
    }),
    exitCode,
  };
};
