import * as E from 'fp-ts/lib/Either.js';
import { applyPatch } from '../patch.js';
import { plan, type PlanInput } from '../plan.js';
import { formatViolation } from '../violation.js';

/**
 * The KubeVirt CR as one reconcile pass (docs/semantics.md §5) would leave it after applying the
 * Setting: patched when the plan patches, as it is when the plan adopts or changes nothing. Left:
 * why the Setting cannot be applied (it is invalid or absent), in one sentence.
 */
export const kubevirtAfterSetting = (input: PlanInput): E.Either<string, unknown> => {
  const p = plan(input);
  if (p.outcome === 'Ignored') return E.left(`nothing to apply: ${p.reason}`);
  if (p.outcome === 'Invalid') return E.left(`the Setting is invalid: ${p.violations.map(formatViolation).join('; ')}`);
  if (p.outcome !== 'Applied' && p.outcome !== 'DriftCorrected') return E.right(input.kubevirt);
  const applied = applyPatch(input.kubevirt, p.patch);
  return E.isLeft(applied) ? E.left(`the planned patch does not apply to the KubeVirt CR: ${applied.left}`) : applied;
};
