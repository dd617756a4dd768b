import * as E from 'fp-ts/lib/Either.js';

import { plan, type PlanInput } from '../plan.js';
import { kubevirtAfterPlan } from '../preview.js';
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
  return E.mapLeft((reason: string) => `the planned patch does not apply to the KubeVirt CR: ${reason}`)(
    kubevirtAfterPlan(input.kubevirt, p),
  );
};
